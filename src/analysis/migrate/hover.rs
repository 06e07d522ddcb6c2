//! What hover shows for SDK identifiers on a module that pins the 0.x API: the declaration as that
//! API had it, for the identifiers whose declaration 1.0 changed or removed (read from sdk-go
//! v0.24.0; v0.23.0 declares the same).
