"""The directory's shared vocabularies: the codes profiles, approaches and search agree on.

Codes are stable identifiers; labels are what people read. Adding a code is safe; renaming or
removing one is a breaking change to every consumer.
"""

from __future__ import annotations

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}

# Issues people seek help with; shared by therapists' profiles and approaches' "helps with".
ISSUES: dict[str, str] = {
    "anxiety": "Anxiety",
    "depression": "Depression",
    "trauma-ptsd": "Trauma and PTSD",
    "relationship-issues": "Relationship issues",
    "grief": "Grief and loss",
    "addiction": "Addiction",
    "substance-use": "Substance use",
    "eating-disorders": "Eating disorders",
    "body-image": "Body image",
    "ocd": "Obsessive-compulsive disorder",
    "adhd": "ADHD",
    "bipolar-disorder": "Bipolar disorder",
    "self-esteem": "Self-esteem",
    "stress": "Stress",
    "life-transitions": "Life transitions",
    "parenting": "Parenting",
    "family-conflict": "Family conflict",
    "lgbtq-issues": "LGBTQ+ issues",
    "racial-identity": "Racial identity and racism",
    "chronic-illness": "Chronic illness and pain",
    "anger": "Anger",
    "sleep": "Sleep and insomnia",
    "perinatal": "Pregnancy, prenatal and postpartum",
    "suicidal-thoughts": "Suicidal thoughts",
    "self-harm": "Self-harm",
    "personality-disorders": "Personality disorders",
    "infidelity": "Infidelity",
    "divorce": "Divorce and separation",
    "work-career": "Work and career",
    "panic": "Panic",
    "phobias": "Phobias",
    "dissociation": "Dissociation",
    "psychosis": "Psychosis",
    "autism": "Autism",
    "spirituality": "Spirituality",
    "caregiving": "Caregiving",
    "loneliness": "Loneliness",
    "emotion-regulation": "Emotion regulation",
}

AGE_GROUPS: dict[str, str] = {
    "children": "Children (5 to 12)",
    "teens": "Teens (13 to 17)",
    "young-adults": "Young adults (18 to 25)",
    "adults": "Adults",
    "elders": "Older adults (65+)",
}

POPULATIONS: dict[str, str] = {
    "individuals": "Individuals",
    "couples": "Couples",
    "families": "Families",
    "groups": "Groups",
    "veterans": "Veterans",
    "first-responders": "First responders",
    "students": "Students",
    "immigrants": "Immigrants and refugees",
    "bipoc": "BIPOC clients",
    "lgbtq": "LGBTQ+ clients",
}

LICENCE_KINDS: dict[str, str] = {
    "LMFT": "Licensed Marriage and Family Therapist",
    "LCSW": "Licensed Clinical Social Worker",
    "LICSW": "Licensed Independent Clinical Social Worker",
    "LPC": "Licensed Professional Counselor",
    "LPCC": "Licensed Professional Clinical Counselor",
    "LMHC": "Licensed Mental Health Counselor",
    "LCMHC": "Licensed Clinical Mental Health Counselor",
    "PSYCHOLOGIST": "Psychologist (PhD/PsyD)",
    "PMHNP": "Psychiatric Mental Health Nurse Practitioner",
    "LADC": "Licensed Alcohol and Drug Counselor",
    "ASSOCIATE": "Pre-licensed associate or candidate",
}

# NUCC taxonomy codes commonly held by therapists.
TAXONOMY_CODES: dict[str, str] = {
    "106H00000X": "Marriage & Family Therapist",
    "103T00000X": "Psychologist",
    "104100000X": "Social Worker",
    "1041C0700X": "Clinical Social Worker",
    "101YP2500X": "Professional Counselor",
    "101YM0800X": "Mental Health Counselor",
    "101YA0400X": "Addiction (Substance Use Disorder) Counselor",
    "363LP0808X": "Psychiatric/Mental Health Nurse Practitioner",
}

INSURANCE_PLANS: dict[str, str] = {
    "aetna": "Aetna",
    "anthem": "Anthem",
    "bcbs": "Blue Cross Blue Shield",
    "cigna": "Cigna",
    "humana": "Humana",
    "kaiser": "Kaiser Permanente",
    "magellan": "Magellan",
    "medicaid": "Medicaid",
    "medicare": "Medicare",
    "optum": "Optum",
    "tricare": "TRICARE",
    "uhc": "UnitedHealthcare",
}

SESSION_TYPES: dict[str, str] = {
    "individual": "Individual session",
    "couples": "Couples session",
    "family": "Family session",
    "group": "Group session",
    "intake": "First session (intake)",
}
