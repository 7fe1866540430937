// The API contract: Swift types and the server protocol are generated from `openapi.yaml` (a link to
// ../../openapi/openapi.yaml) by swift-openapi-generator at build time. Nothing is written by hand here.
