module github.com/phigate/phigate

go 1.27.3

require golang.org/x/crypto v0.59.0

require golang.org/x/sys v0.50.0 // indirect
