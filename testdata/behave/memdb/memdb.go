// Package memdb is a tiny in-process database/sql driver ("memdb"), so the
// corpus exercises database/sql's instrumentation without a server: a query
// returns one row, "hello, <first argument>"; an exec affects one row.
package memdb

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

func init() { sql.Register("memdb", drv{}) }

type drv struct{}

func (drv) Open(name string) (driver.Conn, error) { return conn{}, nil }

type conn struct{}

func (conn) Prepare(query string) (driver.Stmt, error) { return stmt{}, nil }
func (conn) Close() error                              { return nil }
func (conn) Begin() (driver.Tx, error)                 { return nil, errors.New("memdb: no transactions") }

type stmt struct{}

func (stmt) Close() error  { return nil }
func (stmt) NumInput() int { return -1 }
func (stmt) Exec(args []driver.Value) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}
func (stmt) Query(args []driver.Value) (driver.Rows, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("memdb: want 1 argument, got %d", len(args))
	}
	return &rows{value: fmt.Sprintf("hello, %v", args[0])}, nil
}

type rows struct {
	value string
	done  bool
}

func (r *rows) Columns() []string { return []string{"greeting"} }
func (r *rows) Close() error      { return nil }
func (r *rows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = r.value
	return nil
}
