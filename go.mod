module github.com/phigate/phigate

go 1.27.3

require golang.org/x/mod v0.43.0 // indirect
