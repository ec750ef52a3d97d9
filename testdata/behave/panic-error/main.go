package main

import "fmt"

type ParseError struct {
	File string
	Line int
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: syntax error", e.File, e.Line) }

//rtool:span
func parse(file string) {
	panic(&ParseError{File: file, Line: 3})
}

func main() {
	parse("app.conf")
}
