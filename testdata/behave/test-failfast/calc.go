// Package calc is under test (a test binary of the corpus).
package calc

//rtool:span
func Add(a, b int) int { return a + b }
