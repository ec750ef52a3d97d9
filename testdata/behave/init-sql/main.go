package main

import (
	"database/sql"
	"fmt"

	_ "example.org/behave/memdb"
)

var greeting string

func init() {
	db, err := sql.Open("memdb", "init")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT greeting FROM greetings WHERE name = ?", "init").Scan(&greeting); err != nil {
		panic(err)
	}
}

func main() {
	fmt.Println(greeting)
}
