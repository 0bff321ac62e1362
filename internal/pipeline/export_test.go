package pipeline

// Trailers exposes the Bkt-Change trailer lines of a commit to the tests.
var Trailers = trailers
