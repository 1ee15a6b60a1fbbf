package store

// SetBeforeCommit makes every transaction of db that writes change-feed
// events call fn between writing them and COMMIT.
func SetBeforeCommit(db *DB, fn func()) { db.beforeCommit = fn }
