module github.com/phigate/phigate

go 1.27.3
