// Package report renders the library's plain data for people and programs:
// [Text] for a terminal or a pager, [JSON] for tools.
//
// Renderers take an io.Writer and the data, nothing else: they never open
// images, read the environment or look at the terminal; the CLI decides
// colour and width and passes them in [TextOptions]. Output is
// deterministic: the same data gives the same bytes, with no times and no
// temporary paths, so golden files can pin it.
//
// Sizes are int64 bytes in the data. Only this package turns them into
// units, with one set of helpers ([Decimal], [Binary], [Human], [Exact]):
// decimal MB the way docker prints them, binary MiB the way ls -h and du -h
// print them, and exact bytes with thousands separators.
package report
