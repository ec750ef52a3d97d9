// Programs that check for goroutine leaks with go.uber.org/goleak (pinned
// in go.sum; fetched through $RTOOL_TEST_GOPROXY).
module example.org/behave/goleak

go 1.22

require go.uber.org/goleak v1.3.0
