package main

import "fmt"

type config struct{ name string }

//rtool:span
func name(c *config) string {
	return c.name
}

func main() {
	fmt.Println(name(&config{"a"}))
	var c *config
	fmt.Println(name(c))
}
