// Empty: lets the go command compile this package's body-less
// //go:linkname declarations (gls.go) when it builds the package itself,
// as in the support library's own tests.
