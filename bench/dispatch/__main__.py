from bench.dispatch.run import main

main()
