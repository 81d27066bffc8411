package phi

import "github.com/phigate/phigate"

// The references to full-face photographs in text: a photograph and a
// face in one phrase ("photo of pt's face", "facial photograph",
// "full-face picture"), a word that only names one ("selfie",
// "headshot"), or an image file named for a face ("face_0231.jpg").
// X-rays and scans of the face are no photographs.

// photoWords name a picture; faceOnly ones name a face picture alone.
var photoWords = map[string]bool{"photo": true, "photos": true, "photograph": true, "photographs": true,
	"photographed": true, "picture": true, "pictures": true, "pic": true, "pics": true, "image": true, "images": true,
	"snapshot": true, "portrait": true, "portraits": true}

var faceOnly = map[string]bool{"selfie": true, "selfies": true, "headshot": true, "headshots": true, "mugshot": true,
	"mugshots": true}

// imageNames open the names of image files of a face ("face_0231.jpg").
var imageNames = map[string]bool{"face": true}

var faceWords = map[string]bool{"face": true, "faces": true, "facial": true, "full-face": true}

// scanWords make an image of the face a medical image, not a photograph.
var scanWords = map[string]bool{"ct": true, "mri": true, "xray": true, "x-ray": true, "radiograph": true, "scan": true,
	"ultrasound": true, "cta": true, "mra": true, "pet": true, "imaging": true, "film": true, "films": true}

var imageExtensions = map[string]bool{"jpg": true, "jpeg": true, "png": true, "heic": true, "gif": true, "bmp": true,
	"tif": true, "tiff": true, "webp": true}

// photoAt marks a reference to a face photograph at word i, a word with
// fMarked (findAges calls it in its pass over the words).
func (st *state) photoAt(i int) {
	w := lowerInto(st.buf[:0], st.word(i))
	switch {
	case faceOnly[string(w)]:
		st.add(i, i, phigate.PHOTO, 0.8, "photo")
	case photoWords[string(w)]:
		if j := st.faceNear(i); j >= 0 {
			st.add(min(i, j), max(i, j), phigate.PHOTO, 0.8, "photo")
		}
	case imageNames[string(w)] && (st.punct(i+1, '_') || st.imageFile(i)):
		st.add(i, st.imageFileEnd(i), phigate.PHOTO, 0.7, "photo-file")
	}
}

// faceNear returns a face word within three words of photo word i in its
// sentence and line, with no medical-imaging word between or around
// (-1 if none): "photo of pt's face", "facial photograph".
func (st *state) faceNear(i int) int {
	found := -1
	for k := i - 3; k <= i+4; k++ {
		if k < 0 || k >= len(st.toks) || k == i {
			continue
		}
		if k < i && (st.toks[k+1].newline || st.punct(k, '.')) || k > i && (st.toks[k].newline || st.punct(k, '.')) {
			if k < i {
				found = -1 // the sentence starts after k
				continue
			}
			break
		}
		if st.toks[k].kind != kWord {
			continue
		}
		w := lowerInto(st.buf[:0], st.word(k))
		if scanWords[string(w)] {
			return -1
		}
		if faceWords[string(w)] && found < 0 {
			found = k
		}
	}
	return found
}

// imageFile reports whether word i starts a file name with an image
// extension ("face.jpg", "face-0231.png").
func (st *state) imageFile(i int) bool { return st.imageFileEnd(i) > i }

// imageFileEnd returns the last token of the image file name starting at
// word i, or i when there is none.
func (st *state) imageFileEnd(i int) int {
	for k := i + 1; k < len(st.toks) && k <= i+8 && st.adjacent(k-1); k++ {
		if st.punct(k, '.') && k+1 < len(st.toks) && st.adjacent(k) && imageExtensions[string(lowerInto(st.buf[:0], st.word(k+1)))] {
			return k + 1
		}
		if st.toks[k].kind == kPunct && !st.punct(k, '_') && !st.punct(k, '-') {
			return i
		}
	}
	return i
}
