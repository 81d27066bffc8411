module github.com/phigate/phigate/deid/structured/internal/fhirgen

go 1.27.3

require (
	github.com/google/fhir/go v0.7.4
	google.golang.org/protobuf v1.25.0
)

require github.com/golang/protobuf v1.4.3 // indirect
