package phi

import "strings"

// kw is a set of roles a word can play in context.
type kw uint32

const (
	kwTitle             kw = 1 << iota // "Dr", "Mrs": a name follows
	kwRole                             // "NP", "nurse", "attending": a name may follow
	kwRelation                         // "wife", "son": a relative's name may follow
	kwVerb                             // "per", "spoke with": a name may follow
	kwPost                             // "aware", "notified": a name may precede
	kwCred                             // "RN", "MD" after a name: a signature
	kwStop                             // never part of a name or place
	kwMonth                            // month name or abbreviation
	kwFacility                         // "hospital", "rehab": a place precedes
	kwMove                             // "transferred", "admitted": a place may follow to/from
	kwPlacePrep                        // "to", "from", "at", "in": before a place
	kwLive                             // "lives", "resides": a place follows "in"
	kwUnit                             // measurement unit after a number
	kwStreet                           // street suffix
	kwWeekday                          // day of the week
	kwOrdinalNoun                      // "degree", "unit": "2nd degree" is no date
	kwFraction                         // "strength", "murmur": "5/5 strength" is no date
	kwTime                             // "at", "@", "until": a 4-digit number is a time
	kwNotNameAfterTitle                // "aware", "office": after "Dr" this is not a name
	kwPrep                             // "with", "by": a known name may follow
	kwCredAmbiguous                    // "MD", "PA", "NP": credential or something else
	kwPhoneWord                        // "cell", "home#": a phone number follows
	kwState                            // a US state name or abbreviation
	kwGeneric                          // "outside", "cardiac": describes but does not name a facility
	kwDistinct                         // "Memorial", "Adventist": part of a facility's name
	kwDescriptor                       // "Heart", "Medical": between a facility's name and its kind
	kwUnitWord                         // "EW", "attorneys": follows a facility acronym
	kwEvent                            // "MI", "CABG": a past event dated by a year
	kwVent                             // "PSV", "PEEP": ventilator settings follow
	kwScore                            // "pain": a 0-10 score is near
	kwHoliday                          // "Thanksgiving", "Christmas": a holiday names a date
	kwSay                              // "states", "answered": a patient's answer follows
)

var keywords = map[string]kw{}

func addKeywords(k kw, words string) {
	for _, w := range strings.Fields(words) {
		keywords[w] |= k
	}
}

func init() {
	// places5: arriving at a hospital ("presenting to Alder General").
	addKeywords(kwMove, "presenting presents")
	addKeywords(kwTitle, "dr drs doctor dr's drs' mr mrs ms miss mister messrs prof professor rabbi reverend rev pastor fr")
	addKeywords(kwRole, `md np pa rn nurse nurses resident residents attending fellow intern ho caseworker cm sw msw rrt pcp surgeon
		physician physicians chaplain therapist pharmacist staff manager worker coordinator interpreter lawyer attorney provider
		cardiologist oncologist neurologist intensivist hospitalist nephrologist pulmonologist neurosurgeon radiologist anesthesiologist
		dietician dietitian nutritionist counselor psychiatrist psychologist pt/ot ot slp licsw cna lpn rep`)
	addKeywords(kwRelation, `wife husband son sons daughter daughters dtr dtrs dau brother brothers sister sisters mother mom father dad
		niece nieces nephew nephews neice aunt uncle grandson grandsons granddaughter granddaughters grandaughter grandchild grandchildren
		grandmother grandfather cousin friend friends fiance fiancee partner spouse proxy hcp boyfriend girlfriend neighbor neighbour
		stepson stepdaughter sibling siblings companion roommate caregiver guardian sil dil law ex wife's husband's`)
	addKeywords(kwVerb, `per spoke talked called paged notified informed contacted contacts seen evaluated discussed met page call ask asked
		contact reach reached visited accompanied`)
	addKeywords(kwPrep, "w with by from and & via to")
	addKeywords(kwPost, `aware notified paged informed called updated spoke came stated states said ordered wants made
		wishes wished verbalizes verbalized agrees agreed understands understood requests requested declined refused
		consented prefers preferred expressed asks decided`)
	addKeywords(kwRole, "(resident) (attending)")
	addKeywords(kwCred, "rn md np rrt msw licsw bsn pa lpn cna phd do rph pharmd slp otr crnp acnp fnp cns mph dds dmd psyd lcsw")
	addKeywords(kwCredAmbiguous, "md np pa do slp otr cns mph dds")
	addKeywords(kwPhoneWord, "cell tel phone telephone mobile pager beeper")
	addKeywords(kwStop, `the a an and or of to in on at for with by from is was were be been being has had have having will would can
		could may might should shall must not no yes he she his her him hers they them their we our us i me my you your it its this that
		these those there here who whom which what when where why how also all any some up down out off over so as if then than but
		per pt pts patient patients aware notified into re regarding about today tonight tomorrow yesterday am pm noc now later again
		team service office note notes order orders same other another both each every either neither none one two three four five
		six seven eight nine ten first second third next last prior post pre very well much more most less least just only still
		after before during until since while because please thank thanks ok okay called call page paged note phone number
		said says stated states told asked wants wanted will made make making come came going went gone see seen saw given give
		do does did done get got getting let know knows knew think thinks felt feel feels feeling like look looks looked
		new old good bad fine fair poor stable unstable well better worse same again further family staff md rn np pa
		dnr dni code full comfort care plan plans update updated updates info information re: s/p c/o w/ w/o`)
	addKeywords(kwMonth, `january february march april may june july august september october november december
		jan feb mar apr jun jul aug sep sept oct nov dec`)
	addKeywords(kwFacility, `hospital hospitals hosp center centre ctr clinic clinics rehab rehabilitation memorial
		healthcare health campus building bldg infirmary institute hospice manor adventist general sanitarium
		sanatorium asylum univ university college`)
	addKeywords(kwMove, `transfer transferred transfered tranfered transfering transferring tx txd tx'd trans sent admitted adm admit
		readmitted went go going goes taken brought presented arrived discharged dc'd returned return returning flighted
		medflight medflighted accepted came come comes moved moving referred evacuated airlifted back leave leaving
		arrive arrives arriving fly flies flying flew flown drive drives driving drove travel traveled traveling travelled travelling`)
	addKeywords(kwPlacePrep, "to from at in of near")
	addKeywords(kwLive, "lives live living lived resides reside resided residing resident home house born works work worked working")
	addKeywords(kwUnit, `mg mcg g gm gms gram grams kg lb lbs cc ccs ml mls l liter liters mmhg mm cm meq mmol units unit u iu
		hr hrs hour hours min mins minute minutes sec secs second seconds day days wk wks week weeks mo mos month months yr yrs
		year years x times bpm breaths beats % degrees deg f c tabs tab puffs amps amp mg/dl mg/kg bottles bottle sets mcgs mcq mgs gms`)
	addKeywords(kwStreet, `street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl terrace ter circle cir
		highway hwy route rte parkway pkwy square sq trail trl pike alley turnpike expressway`)
	addKeywords(kwWeekday, "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun")
	// schedules: dialysis "on MWF", "TTS" are days, not places.
	addKeywords(kwWeekday, "mwf tts tths tth tuthsa mtwthf")
	addKeywords(kwOrdinalNoun, `degree degrees unit units dose doses day days week weeks time times attempt try floor grade
		line lines set sets bag bags shift shifts stage trimester cousin brother sister son daughter child dtr visit round rounds`)
	addKeywords(kwFraction, `strength strengths motor power grip murmur sem sm pain score grade ns tab tabs cup pulses pulse edema reflexes dtrs
		of out lung lungs lobes bleeding stool heme guaiac psv ps cpap peep bipap ips epap ipap vent settings flowby rales crackles up
		apgar apgars apgar's`)
	addKeywords(kwTime, "at @ until till by from around approx approximately about since ~")
	addKeywords(kwNotNameAfterTitle, `aware notified office orders order team service note notes assessment exam call called
		paged here there saw note's`)
	// names4: verbs whose subject is a person ("Quarnbeck arrived", "once Vellastro woke up").
	addKeywords(kwPost, "arrived woke awoke phoned calls phones")
	// names5: plural proxies name the people after them ("his health care proxies. Ivo and Lem").
	addKeywords(kwRelation, "proxies proxys hcps")
}

// addSet registers the words of a set (lower case, single words) as
// keywords of role k, so the scanner sees them in one lexicon lookup.
func addSet(k kw, set map[string]bool) {
	for w := range set {
		if !strings.Contains(w, " ") {
			keywords[w] |= k
		}
	}
}
