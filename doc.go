// Package phigate holds the vocabulary of phigate: PHI findings and their
// Safe Harbor categories, users, roles and purposes of use, the error type
// with its stable codes, and the interfaces of the stores and services that
// the subpackages implement.
//
// It imports only the standard library. Every subpackage talks to the others
// through these types; only cmd/phigate wires implementations together.
package phigate
