package db

// CodeFilePathsInQuery exports codeFilePathsInQuery, for the tests that
// read its query plan.
var CodeFilePathsInQuery = codeFilePathsInQuery
