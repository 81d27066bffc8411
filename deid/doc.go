// Package deid de-identifies text from PHI findings: it redacts, tags,
// masks, replaces with realistic surrogates (names for names, dates shifted
// by one offset per patient, ZIP codes cut to their Safe Harbor prefix,
// ages over 89 as "90+") or with random placeholders that a caller can
// re-identify through a PlaceholderMap. Batch de-identifies files and
// folders on all cores with bounded memory, writing each output to a
// temporary name and renaming it when complete; PatientFrom says which
// patient each text is about (its path, file name, folder or a header
// line), so that a note shifts its dates as its patient's structured
// records do.
//
// Randomness comes from an injectable io.Reader; keyed surrogates are
// reproducible across runs for the same key.
package deid
