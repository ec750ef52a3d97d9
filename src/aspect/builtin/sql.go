//go:build rtool

// Built-in tracing of database/sql: instrumented inside database/sql, so
// every driver is covered.
package aspects

import (
	"database/sql/driver"
	"reflect"

	"rtool.invalid/support"
)

//rtool:aspect builtin.sql-otlp
//rtool:where std && package(database/sql)
//rtool:import rtool.invalid/support/otlp

// A DB remembers its db.system.name, from the name its driver was registered
// under.
//
//rtool:aspect builtin.sql-system
//rtool:where std && package(database/sql) && struct(database/sql.DB)
//rtool:add-field rtoolSystem string

//rtool:aspect builtin.sql-open
//rtool:where std && package(database/sql) && function(name=OpenDB, receiver=none)
//rtool:prepend
func _() {
	defer func() {
		if RtoolResult0 != nil {
			RtoolResult0.rtoolSystem = support.DBSystem(rtoolDriverName(RtoolParam0.Driver()))
		}
	}()
}

//rtool:aspect builtin.sql-helpers
//rtool:where std && package(database/sql)
//rtool:inject
func rtoolDriverName(d driver.Driver) string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	t := reflect.TypeOf(d)
	for name, r := range drivers {
		if reflect.TypeOf(r) == t && (!t.Comparable() || r == d) {
			return name
		}
	}
	return ""
}

func (db *DB) rtoolDB() *DB  { return db }
func (tx *Tx) rtoolDB() *DB  { return tx.db }
func (c *Conn) rtoolDB() *DB { return c.db }
func (s *Stmt) rtoolDB() *DB { return s.db }
func (db *DB) rtoolSys() string {
	if db == nil {
		return ""
	}
	return db.rtoolSystem
}

// Queries, statements and prepares of a DB, a Conn or a Tx (the methods
// without Context call these).
//
//rtool:aspect builtin.sql-query
//rtool:where std && package(database/sql) && (function(name=QueryContext) || function(name=ExecContext) || function(name=PrepareContext))
//rtool:where function(receiver=*DB) || function(receiver=*Conn) || function(receiver=*Tx)
//rtool:prepend
func _() {
	if rtoolSpan := support.StartDB(RtoolParam0, RtoolReceiver.rtoolDB().rtoolSys(), RtoolFuncName, RtoolParam1); rtoolSpan != nil {
		defer func() { support.EndDB(rtoolSpan, RtoolResult1) }()
	}
}

// Prepared statements run.
//
//rtool:aspect builtin.sql-stmt
//rtool:where std && package(database/sql) && (function(name=QueryContext) || function(name=ExecContext)) && function(receiver=*Stmt)
//rtool:prepend
func _() {
	if rtoolSpan := support.StartDB(RtoolParam0, RtoolReceiver.rtoolDB().rtoolSys(), RtoolFuncName, RtoolReceiver.query); rtoolSpan != nil {
		defer func() { support.EndDB(rtoolSpan, RtoolResult1) }()
	}
}

// Transactions begin…
//
//rtool:aspect builtin.sql-begin
//rtool:where std && package(database/sql) && function(name=BeginTx) && (function(receiver=*DB) || function(receiver=*Conn))
//rtool:prepend
func _() {
	if rtoolSpan := support.StartDB(RtoolParam0, RtoolReceiver.rtoolDB().rtoolSys(), RtoolFuncName, ""); rtoolSpan != nil {
		defer func() { support.EndDB(rtoolSpan, RtoolResult1) }()
	}
}

// … and end (a Rollback after Commit, as in `defer tx.Rollback()`, is not
// an operation: no span).
//
//rtool:aspect builtin.sql-end
//rtool:where std && package(database/sql) && (function(name=Commit) || function(name=Rollback)) && function(receiver=*Tx)
//rtool:prepend
func _() {
	if !RtoolReceiver.isDone() {
		if rtoolSpan := support.StartDB(nil, RtoolReceiver.rtoolDB().rtoolSys(), RtoolFuncName, ""); rtoolSpan != nil {
			defer func() { support.EndDB(rtoolSpan, RtoolResult0) }()
		}
	}
}
