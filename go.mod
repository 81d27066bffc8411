module github.com/phigate/phigate

go 1.27.3

require (
	github.com/leodido/go-syslog/v4 v4.6.0 // indirect
	golang.org/x/mod v0.43.0 // indirect
)
