// Package risk measures and reduces the re-identification risk of a table
// of records, for HIPAA Expert Determination (45 CFR 164.514(b)(1)).
//
// It owns:
//   - reading delimited files column by column (ReadTable), with rejected
//     records reported by file, line and field, never by value;
//   - equivalence classes over quasi-identifiers and the risk figures an
//     expert reports on them (Analyze): k, records in classes below a
//     threshold, prosecutor, journalist and marketer risk, sample
//     uniqueness and l-diversity of sensitive columns;
//   - generalisation hierarchies in the ARX CSV format (ReadHierarchy);
//   - the exact search of the generalisation lattice for the solution with
//     the least information loss that meets k-anonymity (and l-diversity)
//     with a limit on suppressed records (Anonymizer);
//   - the Expert Determination report, in Markdown and JSON (Report).
//
// The risk models follow El Emam, "Guide to the De-Identification of
// Personal Health Information" (2013), as ARX implements them. The package
// imports only the standard library and the root package.
package risk
