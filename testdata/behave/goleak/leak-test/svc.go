// Package svc is under test (a test binary of the corpus).
package svc

//rtool:span
func Greet(name string) string { return "hello, " + name }
