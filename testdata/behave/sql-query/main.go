package main

import (
	"context"
	"database/sql"
	"fmt"

	_ "example.org/behave/memdb"
)

//rtool:span
func report(ctx context.Context, db *sql.DB) {
	for _, name := range []string{"ann", "bob"} {
		var g string
		if err := db.QueryRowContext(ctx, "SELECT greeting FROM greetings WHERE name = ?", name).Scan(&g); err != nil {
			panic(err)
		}
		fmt.Println(g)
	}
	res, err := db.ExecContext(ctx, "UPDATE greetings SET seen = 1")
	if err != nil {
		panic(err)
	}
	n, _ := res.RowsAffected()
	fmt.Println("updated", n)
}

func main() {
	db, err := sql.Open("memdb", "greetings")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	report(context.Background(), db)
}
