-- Patients, clinical notes and care teams (issue 4). Records and note texts
-- are sealed per patient; the MRN is findable only by its keyed blind index
-- (NULL when the patient has no MRN).
CREATE TABLE patients (
	id TEXT PRIMARY KEY,
	mrn_index TEXT UNIQUE,
	sealed BLOB NOT NULL,
	version INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE notes (
	id TEXT PRIMARY KEY,
	patient_id TEXT NOT NULL REFERENCES patients(id),
	author_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	sealed BLOB NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX notes_patient ON notes(patient_id, created_at);

CREATE TABLE care_team (
	patient_id TEXT NOT NULL REFERENCES patients(id),
	user_id TEXT NOT NULL REFERENCES users(id),
	added_at BIGINT NOT NULL,
	PRIMARY KEY (patient_id, user_id)
);
CREATE INDEX care_team_user ON care_team(user_id);
