"""Load benchmark: the key mobile endpoints under wrk, against a one-query baseline (issue: quality gates, item 5)."""
