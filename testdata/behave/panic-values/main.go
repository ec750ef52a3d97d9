package main

import (
	"errors"
	"fmt"
	"os"
)

type state int

func (s state) String() string { return fmt.Sprintf("state(%d)", int(s)) }

type point struct{ X, Y int }

//rtool:span
func fail(kind string) {
	switch kind {
	case "stringer":
		panic(state(4))
	case "struct":
		panic(point{1, 2})
	case "int":
		panic(42)
	case "wrapped":
		panic(fmt.Errorf("loading: %w", errors.New("permission denied")))
	}
}

func main() {
	fail(os.Args[1])
}
