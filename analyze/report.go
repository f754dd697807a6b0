package analyze

// Schema names the version of the JSON form of [Report]. Fields are added,
// never renamed; a breaking change bumps the version.
const Schema = "diet.analyze/v1"

// Report is everything diet knows about where an image's bytes go.
// It is plain data: renderers in package report turn it into text or JSON.
type Report struct {
	Schema          string           `json:"schema"`
	Image           ImageInfo        `json:"image"`
	Size            Size             `json:"size"`
	Layers          []Layer          `json:"layers"`
	WastedBytes     int64            `json:"wasted_bytes"`
	Dive            Dive             `json:"dive"`
	Wasted          []Waste          `json:"wasted"`
	Culprits        []Culprit        `json:"culprits"`
	Duplicates      []Duplicate      `json:"duplicates"` // nil unless asked for
	Recommendations []Recommendation `json:"recommendations"`
	Tree            *Dir             `json:"tree"`
	Accounting      Accounting       `json:"accounting"`
}

// ImageInfo identifies the analysed image.
type ImageInfo struct {
	Ref        string   `json:"ref"`
	ID         string   `json:"id"`     // config digest, what docker calls the image ID
	Digest     *string  `json:"digest"` // manifest digest; nil when the source stores none
	Platform   string   `json:"platform,omitempty"`
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd"`
	User       string   `json:"user,omitempty"`
	WorkingDir string   `json:"working_dir,omitempty"`
}

// Size is the image's size as the tools users know count it.
type Size struct {
	// UncompressedBytes is what docker image inspect reports as Size on the
	// classic overlay2 store: regular-file bytes (hard links once) plus
	// symlink target lengths, summed over layers.
	UncompressedBytes int64 `json:"uncompressed_bytes"`
	// CompressedBytes is the sum of the layer blobs as stored or pulled;
	// nil when the source holds uncompressed layers only.
	CompressedBytes *int64 `json:"compressed_bytes"`
	// FinalBytes is the size of the merged filesystem: what a full squash
	// would leave.
	FinalBytes int64 `json:"final_bytes"`
	// CompressedBy says how CompressedBytes was found for the layers the
	// source stores uncompressed ([Report.SetCompressed]): gzip, zstd or
	// estimate; omitted when every size is a stored blob's.
	CompressedBy string `json:"compressed_by,omitempty"`
}

// Layer is one layer of the image, with the history entry that made it.
type Layer struct {
	Index           int    `json:"index"`
	Digest          string `json:"digest"` // blob digest as the source names it
	DiffID          string `json:"diff_id"`
	CreatedBy       string `json:"created_by"`
	Comment         string `json:"comment,omitempty"`
	SizeBytes       int64  `json:"size_bytes"` // as docker counts: files + symlink targets
	TarBytes        int64  `json:"tar_bytes"`
	CompressedBytes *int64 `json:"compressed_bytes"`
	Entries         int    `json:"entries"`
	Added           int    `json:"added"`
	Modified        int    `json:"modified"`
	Deleted         int    `json:"deleted"`
	// WastedBytes are bytes this layer adds that a later layer removes or replaces.
	WastedBytes int64 `json:"wasted_bytes"`
	// RemovedBytes are bytes of earlier layers that this layer deletes or replaces:
	// they stay in the image all the same.
	RemovedBytes int64 `json:"removed_bytes"`
	// Files lists every path the layer added, changed or removed, largest
	// first; nil (absent from the JSON) unless [WithFiles].
	Files *[]LayerFile `json:"files,omitempty"`
}

// Dive holds dive's three figures, computed with dive's own definitions
// (see docs/analyze.md): they differ from WastedBytes on purpose.
type Dive struct {
	Efficiency        float64    `json:"efficiency"`
	WastedBytes       int64      `json:"wasted_bytes"`
	UserWastedPercent float64    `json:"user_wasted_percent"` // a fraction, as dive prints it
	SizeBytes         int64      `json:"size_bytes"`
	UserSizeBytes     int64      `json:"user_size_bytes"`
	InefficientFiles  []DiveFile `json:"inefficient_files"`
}

// DiveFile is a path dive counts as inefficient: seen in two or more layers.
type DiveFile struct {
	Path   string `json:"path"`
	Copies int    `json:"copies"`
	Bytes  int64  `json:"bytes"`
}

// Waste is one version of a path that is stored in a layer but absent from
// the final filesystem: what a squash would recover.
type Waste struct {
	Path    string `json:"path"`
	Bytes   int64  `json:"bytes"`
	Layer   int    `json:"layer"`    // the layer that removed or replaced the bytes
	AddedIn int    `json:"added_in"` // the layer that stored them
	Reason  string `json:"reason"`   // "overwritten", "deleted" or "opaque"
}

// Reasons for [Waste].
const (
	ReasonOverwritten = "overwritten"
	ReasonDeleted     = "deleted"
	ReasonOpaque      = "opaque"
)

// Culprit is a known kind of size mistake found in one layer.
type Culprit struct {
	Category string `json:"category"`
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	Files    int    `json:"files"`
	Layer    int    `json:"layer"`
	// RemovedBy is the later layer that deletes it, if any: the bytes are
	// then waste, still shipped.
	RemovedBy *int `json:"removed_by"`
	// Detail says more where a category needs it (e.g. bytes strip would save).
	Detail string `json:"detail,omitempty"`
}

// Duplicate is a content stored at more than one path or layer.
type Duplicate struct {
	SHA256      string     `json:"sha256"`
	Size        int64      `json:"size"`
	Copies      []Location `json:"copies"`
	WastedBytes int64      `json:"wasted_bytes"` // size × (copies − 1)
}

// Location is a path in a layer.
type Location struct {
	Path  string `json:"path"`
	Layer int    `json:"layer"`
}

// Recommendation is one concrete change and what it would save on this image.
type Recommendation struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	SavesBytes int64  `json:"saves_bytes"`
	Action     string `json:"action"` // the Dockerfile edit or the diet command
}

// Dir is a directory of the final filesystem with the bytes under it.
type Dir struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	Files    int    `json:"files"`
	Children []*Dir `json:"children,omitempty"`
	// Other sums the children left out by the top-N cut.
	OtherBytes int64 `json:"other_bytes,omitempty"`
	// Layer is the layer that stored most of the bytes beneath (0 when
	// the directory holds no file bytes).
	Layer int `json:"layer"`
}

// Accounting adds every byte of the image up, from file bytes to blobs.
type Accounting struct {
	FileBytes       int64  `json:"file_bytes"`       // regular files, hard links once
	SymlinkBytes    int64  `json:"symlink_bytes"`    // symlink target lengths
	TarHeaderBytes  int64  `json:"tar_header_bytes"` // 512-byte headers, PAX and GNU long-name records
	TarPaddingBytes int64  `json:"tar_padding_bytes"`
	TarTrailerBytes int64  `json:"tar_trailer_bytes"` // end-of-archive blocks and anything after them
	TarBytes        int64  `json:"tar_bytes"`         // Σ uncompressed layer tars = the four above + file bytes
	ConfigBytes     int64  `json:"config_bytes"`
	ManifestBytes   *int64 `json:"manifest_bytes"`
	CompressedBytes *int64 `json:"compressed_bytes"`
	// DockerSizeBytes is what docker image inspect reports (= Size.UncompressedBytes).
	DockerSizeBytes int64 `json:"docker_size_bytes"`
}
