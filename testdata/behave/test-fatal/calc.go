// Package calc is under test (a test binary of the corpus).
package calc

//rtool:span
func Double(n int) int { return 2 * n }
