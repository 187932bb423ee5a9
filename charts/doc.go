// Package charts holds the Helm chart and the test that renders it.
package charts
