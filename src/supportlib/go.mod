// rtool's Go support library, embedded in the rtool binary (see
// src/supportlib.rs). This go.mod only lets `go test` and `go vet` run on it
// (testdata/script/supportlib.txtar); advice imports the packages as
// rtool.invalid/support without any module setup.
module rtool.invalid

go 1.22
