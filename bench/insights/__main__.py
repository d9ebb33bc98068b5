from bench.insights.run import main

main()
