// Package calc is under test (a test binary of the corpus).
package calc

//rtool:span
func Div(a, b int) int { return a / b }
