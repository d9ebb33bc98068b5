"""Weekly report finalise benchmark (`python -m bench.insights`)."""
