// Package analyze turns an image into a [Report]: where every byte goes,
// which bytes are waste, what the known culprits are, and what each fix
// would save.
//
// It builds on [layerfs]: one pass per layer, file contents read only when a
// question needs them (ELF section tables for strip savings; every file's
// hash only with [WithDuplicates]). The report is plain data, sorted and
// free of times and temporary paths, so equal inputs give equal reports.
package analyze
