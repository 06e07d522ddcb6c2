module example.com/shop

go 1.23

require (
	github.com/google/uuid v1.6.0
	github.com/restatedev/sdk-go v1.0.2
)
