"""Invented demo therapists: a deterministic generator of profile create-request bodies.

`demo_therapists()` returns, for each therapist, the body for `POST /v1/therapists` (camelCase, the
fields of `integration_events.TherapistPublicProfile` minus id/version/timestamps, plus the private
fields only the profiles service keeps: `email`, `phone`, `licences[].number` with `numberPublic`,
`locations[].street` with `isPrivate`), the approach statements to set one by one with
`PUT /v1/therapists/{id}/approaches/{slug}`, and when the therapist last confirmed availability.

Everything here is invented: the names are built from made-up family-name parts, the streets do not
exist, e-mail addresses use the reserved example domains and phone numbers the fictional 555-01xx
range. Cities and ZIP codes are real (they agree with the `zipcodes` package) so that place search
and distances work. The data is deliberately as messy as real listings: names in any case with
degrees glued on, an empty city now and then, a ZIP code typed into the city, typographic quotes,
dashes and accents, statements from one line to a long paragraph.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from integration_events.vocabulary import INSURANCE_PLANS, ISSUES

DEMO_SEED = 20250601
# Availability confirmations are placed relative to this moment unless the caller passes `now`.
DEMO_NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MAX_STATEMENT_CHARS = 2000


@dataclass(frozen=True)
class DemoTherapist:
    """One invented therapist, ready to load through the profiles REST API."""

    profile: dict
    statements: list[tuple[str, str]]  # (approach slug, statement in the therapist's own words)
    availability: str | None  # ISO-8601 time the accepting status was last confirmed; None = never


def demo_therapists(
    count: int = 300, seed: int = DEMO_SEED, now: datetime | None = None
) -> list[DemoTherapist]:
    """`count` invented therapists; the same arguments always give the same therapists."""
    rng = random.Random(seed)
    now = now or DEMO_NOW
    used_names: set[str] = set()
    return [_Therapist(rng, used_names, now).build() for _ in range(count)]


# --------------------------------------------------------------------------------------------
# Places: real cities with real ZIP codes (checked against the `zipcodes` package), most of them
# big metros; `weight` is how often a therapist practises there.


@dataclass(frozen=True)
class _Metro:
    city: str
    state: str
    weight: int
    area_code: str
    zips: tuple[tuple[str, float, float], ...]  # (ZIP, latitude, longitude)


_METROS: tuple[_Metro, ...] = (
    _Metro("New York", "NY", 14, "212", (
        ("10001", 40.7484, -73.9967), ("10026", 40.8019, -73.9531), ("10090", 40.7808, -73.9772),
        ("10162", 40.7699, -73.9511),
    )),
    _Metro("Brooklyn", "NY", 8, "718", (
        ("11201", 40.6940, -73.9903), ("11212", 40.6625, -73.9145), ("11222", 40.7272, -73.9498),
        ("11233", 40.6784, -73.9211),
    )),
    _Metro("Los Angeles", "CA", 12, "213", (
        ("90001", 33.9731, -118.2479), ("90017", 34.0559, -118.2666), ("90033", 34.0487, -118.2084),
        ("90048", 34.0737, -118.3720),
    )),
    _Metro("San Francisco", "CA", 8, "415", (
        ("94102", 37.7813, -122.4167), ("94110", 37.7509, -122.4153), ("94118", 37.7812, -122.4614),
        ("94129", 37.8005, -122.4650),
    )),
    _Metro("Oakland", "CA", 5, "510", (
        ("94601", 37.7806, -122.2166), ("94605", 37.7641, -122.1633), ("94609", 37.8361, -122.2637),
        ("94612", 37.8085, -122.2668),
    )),
    _Metro("San Diego", "CA", 6, "619", (
        ("92101", 32.7185, -117.1593), ("92108", 32.7783, -117.1335), ("92116", 32.7624, -117.1242),
        ("92124", 32.8201, -117.0986),
    )),
    _Metro("Chicago", "IL", 11, "312", (
        ("60601", 41.8858, -87.6181), ("60615", 41.8022, -87.6006), ("60630", 41.9699, -87.7603),
        ("60645", 42.0086, -87.6947),
    )),
    _Metro("Houston", "TX", 7, "713", (
        ("77002", 29.7594, -95.3594), ("77026", 29.7972, -95.3288), ("77050", 29.9015, -95.2848),
        ("77075", 29.6223, -95.2600),
    )),
    _Metro("Austin", "TX", 9, "512", (
        ("78701", 30.2713, -97.7426), ("78723", 30.3085, -97.6849), ("78734", 30.3705, -97.9427),
        ("78747", 30.1204, -97.7433),
    )),
    _Metro("Dallas", "TX", 6, "214", (
        ("75201", 32.7904, -96.8044), ("75215", 32.7582, -96.7623), ("75230", 32.8999, -96.7897),
        ("75244", 32.9322, -96.8353),
    )),
    _Metro("San Antonio", "TX", 3, "210", (
        ("78201", 29.4711, -98.5356), ("78216", 29.5334, -98.4975), ("78231", 29.5714, -98.5414),
        ("78249", 29.5612, -98.6117),
    )),
    _Metro("Seattle", "WA", 8, "206", (
        ("98101", 47.6114, -122.3305), ("98112", 47.6301, -122.2972), ("98126", 47.5444, -122.3735),
        ("98155", 47.7559, -122.3003),
    )),
    _Metro("Portland", "OR", 7, "503", (
        ("97201", 45.5078, -122.6897), ("97211", 45.5653, -122.6448), ("97219", 45.4580, -122.7074),
        ("97229", 45.5483, -122.8276),
    )),
    _Metro("Denver", "CO", 7, "303", (
        ("80202", 39.7491, -104.9946), ("80215", 39.7435, -105.1009), ("80228", 39.6888, -105.1560),
        ("80239", 39.7878, -104.8288),
    )),
    _Metro("Boston", "MA", 8, "617", (
        ("02108", 42.3576, -71.0684), ("02113", 42.3657, -71.0560), ("02118", 42.3362, -71.0729),
        ("02203", 42.3615, -71.0604),
    )),
    _Metro("Cambridge", "MA", 3, "617", (
        ("02138", 42.3770, -71.1256), ("02139", 42.3647, -71.1042), ("02140", 42.3932, -71.1338),
        ("02141", 42.3687, -71.0836),
    )),
    _Metro("Philadelphia", "PA", 6, "215", (
        ("19102", 39.9489, -75.1661), ("19116", 40.1166, -75.0198), ("19129", 40.0118, -75.1861),
        ("19141", 40.0365, -75.1451),
    )),
    _Metro("Pittsburgh", "PA", 3, "412", (
        ("15201", 40.4752, -79.9528), ("15212", 40.4406, -79.9959), ("15223", 40.5051, -79.9528),
        ("15236", 40.3351, -79.9832),
    )),
    _Metro("Washington", "DC", 6, "202", (
        ("20001", 38.9122, -77.0177), ("20007", 38.9144, -77.0740), ("20015", 38.9658, -77.0680),
        ("20024", 38.8759, -77.0160),
    )),
    _Metro("Atlanta", "GA", 7, "404", (
        ("30303", 33.7525, -84.3888), ("30313", 33.7683, -84.3935), ("30328", 33.9335, -84.3958),
        ("30342", 33.8842, -84.3761),
    )),
    _Metro("Miami", "FL", 6, "305", (
        ("33122", 25.8001, -80.2810), ("33138", 25.8521, -80.1821), ("33165", 25.7343, -80.3588),
        ("33180", 25.9597, -80.1403),
    )),
    _Metro("Orlando", "FL", 3, "407", (
        ("32801", 28.5399, -81.3727), ("32810", 28.6214, -81.4294), ("32821", 28.3957, -81.4666),
        ("32831", 28.4656, -81.1510),
    )),
    _Metro("Tampa", "FL", 3, "813", (
        ("33602", 27.9614, -82.4597), ("33609", 27.9425, -82.5057), ("33615", 28.0081, -82.5805),
        ("33624", 28.0790, -82.5268),
    )),
    _Metro("Phoenix", "AZ", 5, "602", (
        ("85003", 33.4511, -112.0774), ("85017", 33.5153, -112.1212), ("85029", 33.5961, -112.1199),
        ("85043", 33.4491, -112.1972),
    )),
    _Metro("Tucson", "AZ", 2, "520", (
        ("85701", 32.2139, -110.9694), ("85712", 32.2500, -110.8869), ("85730", 32.1810, -110.8190),
        ("85743", 32.3366, -111.1771),
    )),
    _Metro("Minneapolis", "MN", 5, "612", (
        ("55401", 44.9835, -93.2683), ("55413", 44.9980, -93.2552), ("55425", 44.8427, -93.2363),
        ("55437", 44.8261, -93.3538),
    )),
    _Metro("Saint Paul", "MN", 2, "651", (
        ("55101", 44.9512, -93.0902), ("55108", 44.9806, -93.1771), ("55115", 45.0710, -92.9391),
        ("55122", 44.8028, -93.1977),
    )),
    _Metro("Detroit", "MI", 3, "313", (
        ("48201", 42.3474, -83.0604), ("48209", 42.3097, -83.1155), ("48217", 42.2719, -83.1545),
        ("48228", 42.3547, -83.2168),
    )),
    _Metro("Ann Arbor", "MI", 2, "734", (
        ("48103", 42.2794, -83.7840), ("48104", 42.2694, -83.7282), ("48105", 42.3042, -83.7068),
        ("48108", 42.2328, -83.7015),
    )),
    _Metro("Nashville", "TN", 4, "615", (
        ("37201", 36.1657, -86.7781), ("37207", 36.2195, -86.7740), ("37212", 36.1337, -86.8006),
        ("37217", 36.1052, -86.6591),
    )),
    _Metro("Charlotte", "NC", 4, "704", (
        ("28202", 35.2290, -80.8419), ("28210", 35.1316, -80.8577), ("28226", 35.0869, -80.8167),
        ("28273", 35.1287, -80.9338),
    )),
    _Metro("Raleigh", "NC", 3, "919", (
        ("27601", 35.7727, -78.6324), ("27605", 35.7908, -78.6530), ("27608", 35.8077, -78.6463),
        ("27612", 35.8520, -78.6841),
    )),
    _Metro("Durham", "NC", 2, "919", (
        ("27701", 35.9967, -78.8966), ("27704", 36.0383, -78.8764), ("27706", 35.9970, -78.9422),
        ("27712", 36.0918, -78.9299),
    )),
    _Metro("Baltimore", "MD", 3, "410", (
        ("21201", 39.2946, -76.6252), ("21210", 39.3507, -76.6321), ("21215", 39.3446, -76.6794),
        ("21224", 39.2876, -76.5568),
    )),
    _Metro("Columbus", "OH", 3, "614", (
        ("43085", 40.0999, -83.0157), ("43207", 39.9046, -82.9703), ("43215", 39.9671, -83.0044),
        ("43224", 40.0425, -82.9689),
    )),
    _Metro("Cleveland", "OH", 2, "216", (
        ("44102", 41.4735, -81.7398), ("44110", 41.5636, -81.5733), ("44119", 41.5882, -81.5468),
        ("44128", 41.4416, -81.5486),
    )),
    _Metro("Salt Lake City", "UT", 3, "801", (
        ("84101", 40.7559, -111.8967), ("84107", 40.6568, -111.8904), ("84114", 40.6681, -111.9083),
        ("84123", 40.6596, -111.9193),
    )),
    _Metro("Las Vegas", "NV", 3, "702", (
        ("89101", 36.1721, -115.1224), ("89117", 36.1302, -115.2755), ("89131", 36.2956, -115.2419),
        ("89147", 36.1128, -115.2801),
    )),
    _Metro("New Orleans", "LA", 3, "504", (
        ("70112", 29.9605, -90.0753), ("70118", 29.9504, -90.1236), ("70125", 29.9512, -90.1028),
        ("70131", 29.9168, -89.9960),
    )),
    _Metro("Kansas City", "MO", 2, "816", (
        ("64101", 39.1024, -94.5986), ("64117", 39.1638, -94.5238), ("64131", 38.9713, -94.5774),
        ("64151", 39.2127, -94.6383),
    )),
    _Metro("Saint Louis", "MO", 2, "314", (
        ("63101", 38.6346, -90.1913), ("63112", 38.6616, -90.2819), ("63123", 38.5488, -90.3198),
        ("63134", 38.7438, -90.3416),
    )),
    _Metro("Milwaukee", "WI", 2, "414", (
        ("53202", 43.0506, -87.8968), ("53209", 43.1188, -87.9478), ("53216", 43.0859, -87.9742),
        ("53223", 43.1624, -87.9898),
    )),
    _Metro("Madison", "WI", 2, "608", (
        ("53703", 43.0775, -89.3831), ("53706", 43.0769, -89.4094), ("53714", 43.0977, -89.3118),
        ("53717", 43.0736, -89.5080),
    )),
    _Metro("Albuquerque", "NM", 2, "505", (
        ("87101", 35.1996, -106.6448), ("87106", 35.0790, -106.6169), ("87110", 35.1104, -106.5781),
        ("87114", 35.1868, -106.6652),
    )),
    _Metro("Honolulu", "HI", 2, "808", (
        ("96813", 21.3179, -157.8521), ("96816", 21.2887, -157.8006), ("96819", 21.3488, -157.8759),
        ("96825", 21.2987, -157.6985),
    )),
    _Metro("Anchorage", "AK", 1, "907", (
        ("99501", 61.2225, -149.8677), ("99504", 61.2075, -149.7415), ("99513", 61.2144, -149.8853),
        ("99517", 61.1907, -149.9410),
    )),
    _Metro("Boise", "ID", 1, "208", (
        ("83702", 43.6322, -116.2052), ("83704", 43.6330, -116.2951), ("83706", 43.5885, -116.1910),
        ("83709", 43.5741, -116.2941),
    )),
    _Metro("Burlington", "VT", 1, "802", (
        ("05401", 44.4840, -73.2199), ("05408", 44.5120, -73.2492),
    )),
    _Metro("Providence", "RI", 1, "401", (
        ("02903", 41.8200, -71.4158), ("02904", 41.8541, -71.4378), ("02905", 41.7845, -71.3959),
        ("02906", 41.8351, -71.3971),
    )),
    _Metro("Richmond", "VA", 2, "804", (
        ("23219", 37.5463, -77.4378), ("23223", 37.5477, -77.3948), ("23227", 37.6247, -77.4351),
        ("23235", 37.5133, -77.5646),
    )),
    _Metro("Louisville", "KY", 1, "502", (
        ("40202", 38.2507, -85.7476), ("40210", 38.2306, -85.7905), ("40218", 38.1890, -85.6540),
        ("40242", 38.2785, -85.5940),
    )),
    _Metro("Omaha", "NE", 1, "402", (
        ("68102", 41.2590, -95.9409), ("68111", 41.2962, -95.9650), ("68124", 41.2338, -96.0495),
        ("68136", 41.1683, -96.2096),
    )),
    _Metro("Des Moines", "IA", 1, "515", (
        ("50307", 41.6005, -93.6091), ("50310", 41.6255, -93.6736), ("50313", 41.6381, -93.6203),
        ("50316", 41.6092, -93.6000),
    )),
    _Metro("Little Rock", "AR", 1, "501", (
        ("72201", 34.7483, -92.2819), ("72205", 34.7510, -92.3455), ("72209", 34.6725, -92.3529),
        ("72212", 34.7871, -92.4222),
    )),
    _Metro("Asheville", "NC", 1, "828", (
        ("28801", 35.5971, -82.5565), ("28803", 35.5393, -82.5180), ("28804", 35.6374, -82.5646),
        ("28805", 35.6004, -82.4918),
    )),
    _Metro("Missoula", "MT", 1, "406", (
        ("59801", 46.8563, -114.0252), ("59802", 46.9006, -114.0027), ("59803", 46.8224, -114.0265),
        ("59804", 46.8467, -114.1698),
    )),
    _Metro("Santa Fe", "NM", 1, "505", (
        ("87501", 35.6975, -105.9821), ("87505", 35.6219, -105.8688), ("87506", 35.8195, -105.9886),
        ("87507", 35.6567, -106.0152),
    )),
    _Metro("Portland", "ME", 1, "207", (
        ("04101", 43.6606, -70.2589), ("04102", 43.6602, -70.2898), ("04103", 43.6876, -70.2876),
        ("04109", 43.6783, -70.1987),
    )),
    _Metro("Jackson", "MS", 1, "601", (
        ("39201", 32.2935, -90.1867), ("39203", 32.3081, -90.2021), ("39206", 32.3700, -90.1738),
        ("39211", 32.3739, -90.1293),
    )),
    _Metro("Birmingham", "AL", 1, "205", (
        ("35203", 33.5210, -86.8066), ("35210", 33.5452, -86.6655), ("35217", 33.5887, -86.7650),
        ("35228", 33.4558, -86.9118),
    )),
    _Metro("Charleston", "SC", 1, "843", (
        ("29401", 32.7795, -79.9371), ("29403", 32.7976, -79.9493), ("29406", 32.9352, -80.0325),
        ("29407", 32.7993, -80.0060),
    )),
    _Metro("Sioux Falls", "SD", 1, "605", (
        ("57103", 43.5374, -96.6864), ("57104", 43.5514, -96.7375), ("57105", 43.5240, -96.7341),
        ("57106", 43.5179, -96.7924),
    )),
    _Metro("Fargo", "ND", 1, "701", (
        ("58102", 46.9209, -96.8318), ("58103", 46.8564, -96.8123), ("58104", 46.7932, -96.8397),
    )),
    _Metro("Cheyenne", "WY", 1, "307", (
        ("82001", 41.1437, -104.7962), ("82007", 41.1084, -104.8107), ("82009", 41.1836, -104.8023),
    )),
    _Metro("Wilmington", "DE", 1, "302", (
        ("19801", 39.7378, -75.5497), ("19803", 39.7994, -75.5317), ("19805", 39.7434, -75.5827),
        ("19807", 39.7949, -75.6161),
    )),
    _Metro("Hartford", "CT", 1, "860", (
        ("06101", 41.7801, -72.6771), ("06105", 41.7691, -72.7010), ("06112", 41.7905, -72.6964),
        ("06120", 41.7860, -72.6758),
    )),
    _Metro("Jersey City", "NJ", 2, "201", (
        ("07302", 40.7221, -74.0469), ("07304", 40.7180, -74.0754), ("07305", 40.7020, -74.0890),
        ("07306", 40.7321, -74.0660),
    )),
    _Metro("Newark", "NJ", 1, "201", (
        ("07102", 40.7320, -74.1765), ("07104", 40.7664, -74.1695), ("07106", 40.7415, -74.2330),
        ("07108", 40.7236, -74.2015),
    )),
    _Metro("Oklahoma City", "OK", 1, "405", (
        ("73102", 35.4726, -97.5199), ("73114", 35.5704, -97.5257), ("73129", 35.4312, -97.4913),
        ("73150", 35.4123, -97.3331),
    )),
    _Metro("Manchester", "NH", 1, "603", (
        ("03101", 42.9929, -71.4633), ("03102", 42.9944, -71.4884), ("03103", 42.9656, -71.4493),
        ("03104", 43.0073, -71.4482),
    )),
    _Metro("Charleston", "WV", 1, "304", (
        ("25301", 38.3490, -81.6306), ("25305", 38.3358, -81.6123), ("25312", 38.4096, -81.6747),
        ("25315", 38.2351, -81.5536),
    )),
    _Metro("Indianapolis", "IN", 2, "317", (
        ("46201", 39.7750, -86.1093), ("46218", 39.8082, -86.1014), ("46228", 39.8462, -86.1951),
        ("46241", 39.7096, -86.2614),
    )),
    _Metro("Wichita", "KS", 1, "316", (
        ("67202", 37.6899, -97.3355), ("67208", 37.7024, -97.2811), ("67214", 37.7051, -97.3133),
        ("67220", 37.7667, -97.2805),
    )),
    _Metro("San Juan", "PR", 1, "787", (
        ("00901", 18.4654, -66.1044), ("00912", 18.4454, -66.0611), ("00918", 18.4237, -66.0674),
        ("00924", 18.4006, -66.0050),
    )),
)

_STREET_NAMES = (
    "Larkspur", "Quillon", "Tamsworth", "Fennimore", "Orrin", "Beckwith", "Calloway", "Dunmere",
    "Harrowgate", "Ivel", "Juniper Hollow", "Kestrel", "Lindenwold", "Marlow Bend", "Nettlefield",
    "Oriel", "Pembrook", "Quarry Hill", "Rosalind", "Sable Creek", "Thistlewood", "Umber", "Vantree",
    "Willowmere", "Yarrowby", "Zephyr", "Alder Run", "Bramblecote", "Cedarvale", "Dovecote",
)
_STREET_KINDS = ("St", "Street", "Ave", "Avenue", "Blvd", "Rd", "Road", "Ln", "Way", "Dr", "Pl", "Ct")
_SUITES = ("Suite {n}", "Ste. {n}", "#{n}", "Unit {n}", "Floor {f}", "Suite {n}B", "Office {n}")


# --------------------------------------------------------------------------------------------
# Names: real given names from many traditions with invented family names, so that no
# combination names a real person.

_GIVEN_NAMES = (
    "Marisol", "Ansel", "Teodora", "Imogen", "Cassius", "Delphine", "Oluwaseun", "Priyanka", "Tobias",
    "Leontyne", "Soraya", "Wendell", "Yusra", "Anneliese", "Bartholomew", "Calliope", "Desmond",
    "Esperanza", "Florian", "Ginevra", "Hollis", "Ifeoma", "Jubilee", "Kwabena", "Lorcan", "Maëlle",
    "Nicolás", "Ottilie", "Percival", "Quinlan", "Rosalind", "Saoirse", "Thaddeus", "Ursula", "Valentín",
    "Wilhelmina", "Xiomara", "Yevgenia", "Zainab", "Adaeze", "Bronwyn", "Cormac", "Dagny", "Emeric",
    "Fenella", "Gideon", "Hyacinth", "Ignatius", "Jessamyn", "Kalani", "Leocadia", "Mireille",
    "Nkechi", "Octavia", "Pilar", "Rafferty", "Sunniva", "Tamsin", "Uriel", "Viveka", "Winslow",
    "Ximena", "Yolanda", "Zebulon", "Amara", "Benedikt", "Clementine", "Dorothea", "Elowen", "Faustino",
    "Greer", "Henrike", "Isadora", "Jovan", "Kerensa", "Lucian", "Marguerite", "Nahuel", "Orla",
    "Perpetua", "Rosario", "Seraphina", "Thiago", "Ulla", "Vesna", "Wren", "Yara", "Zoë", "Anouk",
    "Björn", "Céline", "Dolores", "Eamon", "Fatima", "Gaspard", "Hana", "Inés", "Jae-won", "Keziah",
    "Linnea", "Mateus", "Nadia", "Oisín", "Paz", "Renée", "Sunil", "Thuy-Linh", "Minh-Chau", "Ha-eun",
    "Xiaowen", "Meiling", "Ngozi", "Tayo", "Rashida", "Darnell", "Kofi", "Aaliyah", "Jamila", "Tariq",
    "Leilani", "Makoa", "Aroha", "Niamh", "Siobhan", "Dashiell", "Evander", "Juniper", "Marlowe",
    "Rowan", "Sage", "Emerson", "Avery", "Ezra", "Hollis", "Indira", "Jyoti", "Kavya", "Rohan",
    "Sofía", "Begoña", "Joaquín", "Graciela", "Aurelio", "Lupita", "Mercedes", "Rigoberto", "Consuelo",
    "Dmitri", "Oksana", "Taras", "Agnieszka", "Wojciech", "Ilse", "Annika", "Henrik", "Solveig",
    "Farah", "Laleh", "Omid", "Navid", "Layla", "Samir", "Rania", "Youssef", "Esther", "Miriam",
    "Shoshana", "Ariel", "Talia", "Bernadette", "Colm", "Declan", "Philippa", "Rupert", "Verity",
)
_NICKNAMES = {
    "Wilhelmina": "Mina", "Bartholomew": "Bart", "Margarethe": "Greta", "Rosalind": "Roz",
    "Thaddeus": "Tad", "Percival": "Percy", "Seraphina": "Sera", "Dorothea": "Thea", "Isadora": "Izzy",
    "Leocadia": "Cadi", "Ignatius": "Nash", "Evander": "Van", "Yevgenia": "Zhenya", "Oluwaseun": "Seun",
}
_FAMILY_NAME_STYLES = (
    # (first parts, last parts); combined into invented family names.
    (("Quen", "Pryd", "Ash", "Whit", "Dal", "Fen", "Hal", "Kel", "Mar", "Nor", "Pell", "Rav", "Sel",
      "Tam", "Wyn", "Yar", "Bram", "Cal", "Dun", "Elk", "Gos", "Hart", "Lin", "Mor", "Stan", "Thorn"),
     ("by", "e", "wick", "holt", "mere", "combe", "stead", "lund", "vale", "ock", "away", "ridge",
      "well", "ford", "hurst", "ley", "den", "ington", "sey", "worth")),
    (("Valdo", "Quinta", "Arri", "Monte", "Escal", "Ybar", "Corde", "Alba", "Sarmi", "Villa", "Olla",
      "Navar", "Peña", "Zubi", "Bece"),
     ("roz", "rra", "nedo", "eira", "iaga", "ván", "llo", "ñez", "zola", "mendi", "reta", "dal")),
    (("Oyel", "Adew", "Okon", "Ibek", "Nwa", "Ade", "Olu", "Chuk", "Eze", "Afo"),
     ("aran", "umi", "kwe", "nna", "yemi", "bunmi", "dozie", "kanmi", "dike", "lowo")),
    (("Berg", "Lind", "Holm", "Strand", "Dahl", "Sjö", "Vik", "Ny", "Eng", "Häll"),
     ("quist", "gren", "mark", "ström", "berg", "lund", "vall", "dahl")),
    (("Kov", "Lesz", "Brod", "Wiśn", "Petr", "Zaj", "Hryn", "Dob"),
     ("arek", "ewska", "ovich", "ińska", "enko", "acek", "yuk", "ek")),
    (("Tan", "Lau", "Kahn", "Mori", "Seo", "Vo", "Ha", "Lum"),
     ("ahari", "wenna", "ikane", "moana", "oleia", "apua")),
)
_MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTVW"


@dataclass(frozen=True)
class _Profession:
    kind: str  # vocabulary.LICENCE_KINDS code
    titles: tuple[str, ...]
    credentials: tuple[str, ...]  # what people glue onto their names
    taxonomy: tuple[str | None, ...]
    weight: int
    doctor: bool = False


_PROFESSIONS: tuple[_Profession, ...] = (
    _Profession("LMFT", (
        "Licensed Marriage & Family Therapist", "Licensed Marriage and Family Therapist",
        "Marriage and Family Therapist", "Licensed Marriage & Family Therapist (LMFT)",
        "Couples & Family Therapist, LMFT", "Psychotherapist, LMFT",
    ), ("LMFT", "MA, LMFT", "MS, LMFT", "M.A., LMFT", "MFT", "LMFT-S"), ("106H00000X",), 16),
    _Profession("LCSW", (
        "Licensed Clinical Social Worker", "Licensed Clinical Social Worker (LCSW)", "Clinical Social Worker",
        "Clinical Social Worker/Therapist", "Psychotherapist, LCSW", "LCSW",
    ), ("LCSW", "MSW, LCSW", "LCSW-R", "L.C.S.W.", "MSW", "LCSW, CCTP"), ("1041C0700X", "104100000X"), 18),
    _Profession("LICSW", (
        "Licensed Independent Clinical Social Worker", "Clinical Social Worker", "Psychotherapist",
    ), ("LICSW", "MSW, LICSW"), ("1041C0700X",), 3),
    _Profession("LPC", (
        "Licensed Professional Counselor", "Licensed Professional Counselor (LPC)", "Counselor",
        "Professional Counselor", "Therapist, LPC", "Licensed Professional Counselor - Supervisor",
    ), ("LPC", "MA, LPC", "M.Ed., LPC", "LPC-S", "MS, LPC, NCC", "NCC, LPC"), ("101YP2500X",), 14),
    _Profession("LPCC", (
        "Licensed Professional Clinical Counselor", "Professional Clinical Counselor",
    ), ("LPCC", "MA, LPCC", "LPCC-S"), ("101YP2500X",), 4),
    _Profession("LMHC", (
        "Licensed Mental Health Counselor", "Mental Health Counselor",
        "Licensed Mental Health Counselor (LMHC)",
    ), ("LMHC", "MA, LMHC", "MS, LMHC"), ("101YM0800X",), 6),
    _Profession("LCMHC", (
        "Licensed Clinical Mental Health Counselor", "Clinical Mental Health Counselor",
    ), ("LCMHC", "MA, LCMHC", "LCMHCS"), ("101YM0800X",), 4),
    _Profession("PSYCHOLOGIST", (
        "Clinical Psychologist", "Psychologist", "Licensed Psychologist", "Counseling Psychologist",
        "Licensed Clinical Psychologist", "Psychologist, PsyD", "Health Psychologist",
    ), ("PhD", "PsyD", "Ph.D.", "Psy.D.", "PhD, ABPP"), ("103T00000X",), 14, True),
    _Profession("PMHNP", (
        "Psychiatric Nurse Practitioner", "Psychiatric Mental Health Nurse Practitioner",
        "Psychiatric-Mental Health Nurse Practitioner (PMHNP-BC)",
    ), ("PMHNP-BC", "APRN, PMHNP", "DNP, PMHNP-BC", "MSN, APRN"), ("363LP0808X",), 3),
    _Profession("LADC", (
        "Licensed Alcohol and Drug Counselor", "Addiction Counselor", "Substance Use Counselor",
    ), ("LADC", "LADC, CCS", "MA, LADC"), ("101YA0400X",), 2),
    _Profession("ASSOCIATE", (
        "Licensed Professional Counselor Candidate", "Licensed Professional Counselor Associate",
        "Associate Marriage and Family Therapist", "Associate Clinical Social Worker",
        "Pre-Licensed Professional", "Marriage & Family Therapist Associate", "Counselor in Residency",
        "Clinical Mental Health Counselor Associate", "Therapist (pre-licensed)",
    ), ("LPC-Associate", "AMFT", "ASW", "LPCC-A", "MA", "LPC Candidate", "LCMHCA", "MFTC"),
        ("101YP2500X", "106H00000X", None), 10),
)
# Counselling and social-work licences are named differently from state to state.
_COUNSELOR_KIND_BY_STATE = {
    "CA": "LPCC", "OH": "LPCC", "MN": "LPCC", "NM": "LPCC", "KY": "LPCC", "NY": "LMHC", "WA": "LMHC",
    "FL": "LMHC", "MA": "LMHC", "IN": "LMHC", "RI": "LMHC", "HI": "LMHC", "NC": "LCMHC", "NH": "LCMHC",
    "VT": "LCMHC", "ME": "LCMHC",
}
_COUNSELOR_KINDS = {"LPC", "LPCC", "LMHC", "LCMHC"}
_LICSW_STATES = {"MA", "MN", "WA", "DC", "VT", "RI", "ME"}
# Telehealth often reaches across nearby state lines (where the therapist holds another licence).
_NEIGHBOURS = {
    "NY": ("NJ", "CT", "PA", "VT", "MA"), "NJ": ("NY", "PA", "DE"), "CA": ("OR", "NV", "AZ"),
    "TX": ("OK", "NM", "LA", "AR"), "IL": ("WI", "IN", "MO", "IA"), "MA": ("RI", "NH", "CT", "NY", "ME"),
    "WA": ("OR", "ID"), "OR": ("WA", "CA", "ID"), "CO": ("NM", "UT", "WY", "KS"),
    "GA": ("FL", "SC", "NC", "TN", "AL"),
    "FL": ("GA", "AL"), "PA": ("NJ", "NY", "DE", "MD", "OH"), "DC": ("MD", "VA"),
    "MD": ("DC", "VA", "DE", "PA"),
    "VA": ("DC", "MD", "NC", "WV"), "NC": ("SC", "VA", "TN", "GA"), "MN": ("WI", "IA", "ND", "SD"),
    "MI": ("OH", "IN", "WI"), "AZ": ("NM", "NV", "UT", "CA"), "TN": ("KY", "GA", "NC", "AL", "MS"),
}


# --------------------------------------------------------------------------------------------
# Statement banks. Written in therapists' voices; `{a|b}` picks one alternative, `<A>` names the
# approach, `<other>` another approach the same therapist uses, `<issue>`/`<issue2>` issues they
# treat, `<client>` the people they see, `<city>` where they practise. Blocks are separated by a
# blank line; a block's lines join into one sentence or two.


def _bank(text: str) -> tuple[str, ...]:
    blocks = text.strip().split("\n\n")
    return tuple(" ".join(line.strip() for line in block.splitlines()) for block in blocks)


@dataclass(frozen=True)
class _Approach:
    names: tuple[str, ...]  # how therapists refer to it in a sentence
    family: str
    core: tuple[str, ...]
    short: tuple[str, ...]
    issues: tuple[str, ...] = ()  # issues its practitioners tend to list
    ages: tuple[str, ...] = ()


_APPROACHES: dict[str, _Approach] = {
    "relational-therapy": _Approach(
        ("relational therapy", "relational therapy", "a relational approach", "relational work",
         "Relational Therapy", "relational psychotherapy"),
        "relational",
        _bank("""
            I believe most of what hurts us happened in relationship, and most of what heals us
            happens there too.

            In our sessions the relationship between us isn’t a backdrop — it’s one of the main
            {tools|things} we {have|work with}.

            If something I say lands wrong, I want to hear about it; working that through together is
            often where the real change {starts|begins}.

            We’ll notice the patterns you bring into your closest relationships, and how they show up
            in the room with me, {gently|with curiosity|without blame}.

            I pay attention to what happens between us: the moments you pull back, the moments you
            lean in, the things that are hard to say out loud.

            Rather than handing you techniques, I try to offer a steady, honest relationship where old
            expectations can be tested against something new.

            Many of my clients come in saying “I don’t know why I keep ending up here.” Relational
            therapy is how we find out.

            I’m not a blank screen. I’ll be a real person with you — warm, direct, {sometimes funny|
            occasionally silly|honest about what I notice} — because that’s what makes it safe to be
            real back.

            We look at how your early relationships taught you what to expect from people, and whether
            those lessons still fit the life you have now.

            Ruptures happen in every relationship, including ours; repairing them is practice for the
            rest of your life.

            My stance is collaborative: you’re the expert on your life, and I bring curiosity about how
            your relationships shape it.

            Loneliness, people-pleasing, the feeling of being “too much” or “not enough” — these
            usually have a relational history, and they usually soften in a relationship that feels
            different.

            I draw on relational-cultural theory, which means I take connection, disconnection, power
            and culture seriously, not just what’s going on inside your head.

            Therapy with me tends to feel like a real conversation rather than an interview.

            We’ll slow down enough to notice what you feel in the moment, with me, right now — that’s
            where a lot of the information is.

            I think of myself as a companion in the work rather than an expert who fixes.

            Sometimes we’ll talk about your week; sometimes we’ll talk about what it felt like when I
            was five minutes late. Both matter.

            For people who’ve been hurt by others, simply being understood — and noticing that it’s
            happening — can be a turning point.

            I’m interested in the whole web: partners, parents, friends, coworkers, community, and the
            systems that press on all of them.

            Change in relational work is often quiet at first: a conversation you’d have avoided, a
            boundary you finally hold, a friendship that feels less lonely.

            I trained in a relational psychodynamic tradition and still use it every day, though my
            language is plainer than the textbooks’.

            I’ll check in about how our work is going, and I mean the question.

            You won’t be pathologised here; the ways you learned to cope made sense at the time.

            Clients often tell me the most useful thing was having someone stay — through anger,
            silence, doubt.

            The goal isn’t to analyse relationships from a distance but to experience a different kind
            of one, and take it with you.

            I’m especially drawn to this work with adult children of difficult parents,
            first-generation clients balancing two sets of expectations, and anyone who feels like
            they’re always the one holding everyone else together.

            My relational lens includes culture, race, gender and class; they’re in the room whether
            we name them or not, so I’d rather name them.

            What you feel toward me — trust, irritation, boredom, hope — is welcome material.

            I’ll sometimes ask, “What was that like, telling me?” It’s not a trick question.

            We don’t have to get it right the first time. Relationships, ours included, are built on
            the second and third tries.
        """),
        _bank("""
            Relational therapy: the relationship is the work.

            Connection heals. That’s the whole idea, and it’s harder and better than it sounds.

            I work relationally — what happens between us matters.

            Real relationship, real change.

            How we relate is how we heal.

            Relational, collaborative, and honest; that’s how I work.

            Most of my work is relational at its core.

            We heal in connection — so that’s where we start.
        """),
        ("relationship-issues", "loneliness", "self-esteem", "family-conflict", "depression", "anxiety"),
    ),
    "cognitive-behavioral-therapy": _Approach(
        ("CBT", "cognitive behavioral therapy", "Cognitive Behavioral Therapy",
         "cognitive-behavioural therapy",
         "CBT"),
        "cognitive",
        _bank("""
            We’ll look at the link between what you think, what you feel and what you do, and find
            the spot where a small change makes the biggest difference.

            Expect some homework — nothing like school, more like experiments you run in your own
            life between sessions.

            I like CBT because it’s transparent: I’ll explain why we’re doing each thing, and you can
            tell me if it doesn’t fit.

            A lot of our time goes to catching the automatic thoughts that arrive before you’ve
            noticed them — “I’ll mess this up,” “they’re annoyed with me” — and checking them
            against the evidence.

            We set goals in the first few sessions and revisit them, so you can see whether this is
            working.

            I use thought records, behavioural activation and graded practice, adapted to your life
            rather than copied off a worksheet.

            CBT gets a reputation for being cold. Done well, it’s warm, practical and surprisingly
            creative.

            For many people, 12–20 sessions is enough to feel a real shift, though we go at your pace.
        """),
        _bank("""
            Practical, structured CBT — with room for the human stuff.

            CBT, but make it kind.

            Evidence-based CBT tailored to you.
        """),
        ("anxiety", "depression", "panic", "stress", "phobias", "sleep"),
    ),
    "dialectical-behavior-therapy": _Approach(
        ("DBT", "dialectical behavior therapy", "Dialectical Behavior Therapy", "DBT skills work"),
        "cognitive",
        _bank("""
            DBT holds two things at once: you are doing the best you can, and you can learn to do
            things differently. I hold both with you.

            We work through the four skill areas — mindfulness, distress tolerance, emotion
            regulation, interpersonal effectiveness — and practise them on what actually happened
            this week.

            I offer individual DBT and a weekly skills group; phone coaching is available between
            sessions for clients in the full program.

            Diary cards sound tedious. They’re also the fastest way I know to see what’s really
            driving the hard days.

            I came to DBT through years of working with people whose emotions felt like weather they
            couldn’t predict or survive. The skills gave them — and me — a map.

            Validation isn’t agreement; it’s me understanding why your reaction makes sense. That’s
            where we start before we change anything.
        """),
        _bank("""
            Comprehensive DBT: individual, group and coaching.

            DBT skills for big feelings.

            Radical acceptance, and then change.
        """),
        ("emotion-regulation", "self-harm", "suicidal-thoughts", "personality-disorders", "substance-use"),
        ("teens", "young-adults", "adults"),
    ),
    "emdr": _Approach(
        ("EMDR", "EMDR therapy", "Eye Movement Desensitization and Reprocessing (EMDR)", "EMDR"),
        "trauma",
        _bank("""
            EMDR lets the brain finish processing memories that got stuck, usually without you
            having to describe every detail out loud.

            We don’t jump straight into the hard memories; the first sessions are about resources,
            safety and making sure you can come back to the present when you need to.

            I use eye movements, tapping or tones — whichever feels best to you — and we can do it
            online as well as in the office.

            Clients often describe the memory as “further away” or “just a memory now” after
            reprocessing. That’s the shift I’m looking for.

            I’m {EMDRIA-trained|trained through an EMDRIA-approved program|an EMDRIA Certified
            Therapist} and use EMDR for single-incident trauma and for the slower, relational
            kind.

            EMDR isn’t magic and it isn’t hypnosis — you stay awake, in charge, and able to stop
            whenever you want.

            Some people come for EMDR after years of talk therapy where they understood everything
            and still felt the same. That gap is exactly what EMDR is good at.
        """),
        _bank("""
            EMDR for trauma, anxiety and stuck memories.

            Certified in EMDR; intensives available.

            EMDR — in person or via telehealth.
        """),
        ("trauma-ptsd", "anxiety", "panic", "grief", "phobias", "dissociation"),
    ),
    "psychodynamic-therapy": _Approach(
        ("psychodynamic therapy", "psychodynamic psychotherapy", "a psychodynamic approach",
         "Psychodynamic Therapy"),
        "relational",
        _bank("""
            Psychodynamic work is curious about the parts of us that act before we’ve decided
            anything — old wishes, old fears, old loyalties.

            We’ll follow what comes up, including dreams, slips and the things you almost didn’t say.

            I see patterns as clues rather than flaws: the ways you protect yourself once made sense,
            and understanding them is how they loosen.

            It’s an open-ended approach; some clients come weekly for a few months, others for a few
            years.

            I pay attention to feelings you might rather skip — anger, envy, grief — because avoiding
            them tends to cost more than feeling them.

            The past matters here not because we want to live in it but because it keeps quietly
            showing up in the present.
        """),
        _bank("""
            Depth-oriented, psychodynamic psychotherapy.

            Insight-oriented therapy for lasting change.
        """),
        ("depression", "relationship-issues", "self-esteem", "anxiety", "personality-disorders"),
    ),
    "person-centered-therapy": _Approach(
        ("person-centered therapy", "a person-centred approach", "client-centered therapy",
         "Person-Centered Therapy"),
        "humanistic",
        _bank("""
            I trust that you know more about your life than I ever will; my job is to create the
            conditions where you can hear yourself.

            Empathy, honesty and unconditional positive regard aren’t techniques to me — they’re how
            I try to show up.

            I won’t push you toward a goal I picked. We follow what matters to you.

            A lot of people have never had an hour a week where nobody wanted anything from them.
            That hour can be surprisingly powerful.

            I reflect back what I hear, sometimes clumsily, and you correct me. That back-and-forth
            is part of the work.
        """),
        _bank("""
            Client-led, warm, non-judgmental.

            You lead; I listen closely.

            Person-centred — you set the direction.
        """),
        ("self-esteem", "life-transitions", "depression", "loneliness", "stress"),
    ),
    "internal-family-systems": _Approach(
        ("IFS", "Internal Family Systems", "Internal Family Systems (IFS)", "parts work"),
        "trauma",
        _bank("""
            In IFS we get to know the parts of you — the critic, the worrier, the one who wants to
            disappear for a weekend — instead of fighting them.

            Every part has a good intention, even the ones that cause trouble. Once a part feels
            understood, it often relaxes on its own.

            Underneath the parts is what IFS calls Self: calm, curious, compassionate. Most people are
            surprised how much of it they already have.

            Clients say things like “part of me wants to leave and part of me is terrified to.” IFS
            takes both parts seriously.

            We move slowly with the parts that protect old wounds; they get a say in the pace.

            I’m {Level 1 trained in IFS|IFS Level 2 trained|an IFS-informed clinician} and use it
            alongside <other>.
        """),
        _bank("""
            Parts work (IFS) — every part is welcome.

            IFS-informed therapy: all parts welcome.
        """),
        ("trauma-ptsd", "self-esteem", "anxiety", "eating-disorders", "relationship-issues"),
    ),
    "acceptance-and-commitment-therapy": _Approach(
        ("ACT", "Acceptance and Commitment Therapy", "acceptance and commitment therapy (ACT)", "ACT"),
        "cognitive",
        _bank("""
            ACT isn’t about getting rid of hard thoughts; it’s about holding them more lightly while
            you move toward what you care about.

            We’ll get clear on your values — not the ones you think you should have — and use them as
            a compass when things feel murky.

            I use a lot of metaphors in ACT: passengers on the bus, the tug-of-war with the monster.
            They sound silly until they’re suddenly useful.

            Defusion is a big word for a simple move: noticing “I’m having the thought that I’m a
            failure” instead of being swallowed by it.

            Psychological flexibility is the goal — being able to feel what you feel and still choose
            what you do.
        """),
        _bank("""
            ACT: live by your values, not your fears.

            Acceptance and Commitment Therapy, practical and kind.
        """),
        ("anxiety", "chronic-illness", "depression", "stress", "ocd"),
    ),
    "emotionally-focused-therapy": _Approach(
        ("EFT", "Emotionally Focused Therapy", "emotionally focused couples therapy", "EFT"),
        "systemic",
        _bank("""
            In EFT we step back from the content of the fight — dishes, money, in-laws — and look at
            the cycle that keeps you both stuck.

            Most couples I see aren’t fighting about the dishes; they’re asking “are you there for
            me?” in ways that come out sideways.

            I help partners slow down enough to say the softer thing underneath the sharp thing.

            EFT is grounded in attachment science; it treats your need for closeness as healthy, not
            needy.

            I’ll sometimes stop a conversation mid-sentence and ask what just happened inside you.
            That pause is where new responses become possible.

            I’m {trained in EFT through an ICEEFT-affiliated community|certified in EFT|working toward
            EFT certification} and see couples of every shape — married, dating,
            non-monogamous, queer, re-partnered.
        """),
        _bank("""
            EFT for couples ready to break the cycle.

            Emotionally Focused Therapy for couples.
        """),
        ("relationship-issues", "infidelity", "divorce", "anxiety"),
    ),
    "narrative-therapy": _Approach(
        ("narrative therapy", "Narrative Therapy", "a narrative approach"),
        "humanistic",
        _bank("""
            Narrative therapy separates you from the problem: you are not “an anxious person,” you’re
            a person Anxiety has been pushing around.

            We look for the stories that have been written about you — by family, culture, diagnosis
            — and the ones you’d rather live by.

            I ask a lot of questions about times the problem didn’t win. There are always more than
            people expect.

            Sometimes we write letters, make documents, or invite people who matter into a session to
            witness the new story.

            It suits people who are tired of being defined by a label.
        """),
        _bank("""
            You are not the problem; the problem is the problem.

            Narrative therapy — rewriting the story you live in.
        """),
        ("life-transitions", "self-esteem", "racial-identity", "lgbtq-issues", "grief"),
    ),
    "somatic-experiencing": _Approach(
        ("Somatic Experiencing", "Somatic Experiencing (SE)", "somatic work", "SE"),
        "trauma",
        _bank("""
            Somatic Experiencing works with the nervous system directly — through sensation, breath
            and movement — rather than only through the story.

            We go slowly. I might ask what you notice in your chest or hands, and we follow that
            thread in small doses.

            Trauma isn’t only a memory; it’s energy the body didn’t get to finish. SE helps it
            complete, gently.

            I’m {a Somatic Experiencing Practitioner (SEP)|in my final year of SE training|trained in
            SE} and weave it into talk therapy, not instead of it.

            Many clients come because they understand their history intellectually and still feel
            braced all the time.
        """),
        _bank("""
            Body-based trauma therapy (SE).

            Somatic Experiencing: listening to the body.
        """),
        ("trauma-ptsd", "anxiety", "chronic-illness", "panic", "stress"),
    ),
    "gottman-method": _Approach(
        ("the Gottman Method", "Gottman Method Couples Therapy", "Gottman-based couples work"),
        "systemic",
        _bank("""
            We start with a thorough assessment — questionnaires for each of you and a few individual
            sessions — so we know what we’re working with.

            Gottman work is practical: how to start a hard conversation softly, how to repair, how to
            notice and turn toward each other’s bids.

            I teach the “Four Horsemen” early, because naming criticism, defensiveness, contempt and
            stonewalling tends to take some of their power away.

            We also build up what’s working: friendship, fondness, shared meaning.

            I’m {Level 2|Level 3|Level 1} trained in the Gottman Method and often combine it with
            <other>.
        """),
        _bank("""
            Gottman-trained couples therapy.

            Research-based couples work (Gottman Levels 1–3).
        """),
        ("relationship-issues", "infidelity", "divorce", "parenting"),
    ),
    "solution-focused-brief-therapy": _Approach(
        ("solution-focused brief therapy", "SFBT", "a solution-focused approach",
         "Solution-Focused Brief Therapy"),
        "brief",
        _bank("""
            Solution-focused work spends less time on how the problem started and more on what life
            looks like when it’s better.

            I’ll ask the “miracle question” at some point. Humour me; it’s more useful than it
            sounds.

            We look for what’s already working, even a little, and do more of it.

            It suits people who want a handful of focused sessions rather than open-ended therapy.

            On a scale of 1 to 10, where are you today? And what would one step up look like?
        """),
        _bank("""
            Brief, focused, forward-looking.

            Solution-focused: what’s working, and more of it.
        """),
        ("stress", "work-career", "life-transitions", "parenting"),
    ),
    "motivational-interviewing": _Approach(
        ("motivational interviewing", "Motivational Interviewing (MI)", "MI"),
        "brief",
        _bank("""
            Motivational interviewing starts from the fact that most of us feel two ways about
            change. I won’t argue you into anything.

            I listen for your own reasons to change — they count for far more than mine.

            MI is especially useful around drinking, substances, health habits, or any decision you
            keep circling.

            Ambivalence isn’t a character flaw; it’s where we begin.
        """),
        _bank("""
            No lectures — just honest conversations about change.

            MI: your reasons, your pace.
        """),
        ("substance-use", "addiction", "chronic-illness", "anger"),
    ),
    "mindfulness-based-cognitive-therapy": _Approach(
        ("MBCT", "Mindfulness-Based Cognitive Therapy", "mindfulness-based cognitive therapy (MBCT)"),
        "cognitive",
        _bank("""
            MBCT combines meditation practice with CBT to help you notice the early signs of a low
            mood before it gathers speed.

            I teach the 8-week MBCT program in small groups and adapt its practices for individual
            clients.

            You don’t have to be “good at meditating.” Noticing that your mind wandered is the
            practice.

            The three-minute breathing space is the tool clients tell me they still use years later.
        """),
        _bank("""
            MBCT groups and individual sessions.

            Mindfulness for people who think they can’t meditate.
        """),
        ("depression", "anxiety", "stress", "sleep"),
    ),
    "exposure-and-response-prevention": _Approach(
        ("ERP", "exposure and response prevention", "Exposure and Response Prevention (ERP)"),
        "cognitive",
        _bank("""
            ERP is the gold-standard treatment for OCD, and I’ve seen it give people their lives back.

            We build a hierarchy together and approach feared situations step by step, without the
            rituals — at a pace you agree to.

            Nothing happens in ERP without your consent; I’m a coach, not a drill sergeant.

            I specialise in the less-talked-about presentations too: harm OCD, relationship OCD,
            scrupulosity, “just right” OCD.

            Uncertainty is the thing OCD can’t tolerate. ERP is how we practise tolerating it anyway.
        """),
        _bank("""
            OCD specialist — ERP in person and online.

            ERP for OCD, done collaboratively.
        """),
        ("ocd", "anxiety", "phobias", "panic"),
    ),
    "trauma-focused-cbt": _Approach(
        ("TF-CBT", "trauma-focused CBT", "Trauma-Focused Cognitive Behavioral Therapy (TF-CBT)"),
        "cognitive",
        _bank("""
            TF-CBT is designed for children and teens, and caregivers are part of it from day one.

            We build coping skills first — feelings words, relaxation, the “PRACTICE” components —
            before the child creates their trauma narrative.

            Kids often draw or write their story as a book; sharing it with a parent at the end can be
            incredibly moving.

            I’m {nationally certified in TF-CBT|TF-CBT certified|trained in TF-CBT} and have used it with
            children in foster care, after accidents, and after loss.
        """),
        _bank("""
            TF-CBT for kids, teens and their caregivers.

            Certified TF-CBT provider.
        """),
        ("trauma-ptsd", "anxiety", "grief", "family-conflict"),
        ("children", "teens"),
    ),
    "cognitive-processing-therapy": _Approach(
        ("CPT", "Cognitive Processing Therapy", "cognitive processing therapy (CPT)"),
        "cognitive",
        _bank("""
            CPT looks at the “stuck points” trauma leaves behind — beliefs like “it was my fault” or
            “I can’t trust anyone” — and examines them carefully.

            It’s a structured 12-session protocol, and I stick to it closely because the structure is
            part of why it works.

            I learned CPT while working with veterans, and I use it with anyone whose trauma left
            them with a rulebook that no longer serves them.

            You’ll write an impact statement early on; it’s often the first time people see their
            beliefs on paper.
        """),
        _bank("""
            CPT for PTSD — structured and effective.

            Cognitive Processing Therapy, 12 sessions.
        """),
        ("trauma-ptsd", "depression", "anger"),
    ),
    "prolonged-exposure-therapy": _Approach(
        ("prolonged exposure", "Prolonged Exposure (PE)", "PE therapy"),
        "cognitive",
        _bank("""
            Prolonged Exposure helps you stop avoiding the memory and the reminders that keep PTSD in
            charge.

            We go over the memory together, record it, and you listen between sessions — it’s hard,
            and it works.

            I also build real-world exposure practice, so places you’ve been avoiding become yours
            again.

            I’m {trained in PE through the VA|certified in Prolonged Exposure|trained in PE} and
            offer it to veterans, first responders and civilians.
        """),
        _bank("""
            Prolonged Exposure for PTSD.

            PE — facing it, together.
        """),
        ("trauma-ptsd", "anxiety", "panic"),
    ),
    "schema-therapy": _Approach(
        ("schema therapy", "Schema Therapy", "a schema-focused approach"),
        "cognitive",
        _bank("""
            Schema therapy looks at the deep patterns formed when childhood needs went unmet, and the
            “modes” that take over when they’re triggered.

            We use imagery, chair work and a lot of limited reparenting — meeting, in therapy, some
            of the needs that weren’t met then.

            It’s a longer-term approach suited to patterns that keep returning no matter how much
            insight you have.

            Clients learn to recognise their Vulnerable Child, their Inner Critic, and the Healthy
            Adult who can look after both.
        """),
        _bank("""
            Schema therapy for lifelong patterns.

            Schema-focused therapy, in depth.
        """),
        ("personality-disorders", "relationship-issues", "self-esteem", "depression"),
    ),
    "compassion-focused-therapy": _Approach(
        ("compassion-focused therapy", "CFT", "Compassion-Focused Therapy"),
        "cognitive",
        _bank("""
            Compassion-focused therapy is for people whose inner critic is louder than anyone else in
            their life.

            We learn how the threat, drive and soothing systems work, and why yours might be stuck on
            threat.

            Self-compassion isn’t self-indulgence; it’s the thing that lets you keep going when you
            fail.

            Practices might include compassionate imagery, breathing, letter-writing — whatever
            helps you find a kinder voice.
        """),
        _bank("""
            Gentler with yourself: compassion-focused therapy.

            CFT for shame and self-criticism.
        """),
        ("self-esteem", "depression", "eating-disorders", "body-image"),
    ),
    "existential-therapy": _Approach(
        ("existential therapy", "Existential Therapy", "an existential approach"),
        "humanistic",
        _bank("""
            Existential therapy makes room for the big questions — meaning, freedom, mortality,
            isolation — without rushing to tidy answers.

            I’m less interested in symptoms than in how you want to live, and what’s getting in the
            way.

            Many clients find me during a crossroads: a diagnosis, a loss, a birthday with a zero on
            the end.

            Anxiety, in this view, is often a signal that something matters — not only a problem to
            remove.
        """),
        _bank("""
            Therapy for the big questions.

            Existential, reflective, honest.
        """),
        ("life-transitions", "grief", "spirituality", "depression"),
        ("adults", "elders"),
    ),
    "gestalt-therapy": _Approach(
        ("Gestalt therapy", "Gestalt", "a Gestalt approach"),
        "humanistic",
        _bank("""
            Gestalt work stays with what’s happening right now — in your body, in your voice, between
            us.

            Yes, sometimes there’s an empty chair. It’s less theatrical than it sounds, and often the
            most moving part of the work.

            I might point out that you laughed while describing something painful, and we’ll get
            curious about that.

            Awareness is the engine of change here; I trust that what you notice, you can shift.
        """),
        _bank("""
            Gestalt: present-moment, experiential therapy.

            Here-and-now Gestalt work.
        """),
        ("anxiety", "grief", "relationship-issues", "self-esteem"),
    ),
    "family-systems-therapy": _Approach(
        ("family systems therapy", "Bowen family systems", "a family systems approach"),
        "systemic",
        _bank("""
            A family systems lens looks at the whole — roles, patterns, loyalties across generations
            — rather than blaming the one person who happens to be struggling.

            We may draw a genogram together; it’s amazing how often the same story repeats three
            generations back.

            Differentiation — staying yourself while staying connected — is the heart of my work with
            families and individuals alike.

            I see whole families, parts of families, and individuals working on family stuff.
        """),
        _bank("""
            Family systems therapy — the whole picture.

            Seeing the system, not the scapegoat.
        """),
        ("family-conflict", "parenting", "relationship-issues", "caregiving"),
        ("teens", "adults"),
    ),
    "structural-family-therapy": _Approach(
        ("structural family therapy", "Structural Family Therapy", "a structural approach"),
        "systemic",
        _bank("""
            Structural family therapy looks at how a family is organised — who’s close, who’s on the
            outside, who makes decisions — and helps shift it.

            I often ask families to show me an argument in session rather than describe it; it tells
            us far more.

            Clear boundaries between parents and kids are usually part of the work, gently and
            without blame.

            It’s active, sometimes surprising, and often quicker than families expect.
        """),
        _bank("""
            Structural family therapy for families with kids and teens.

            Family therapy that changes the structure, not just the conversation.
        """),
        ("family-conflict", "parenting", "adhd", "anger"),
        ("children", "teens"),
    ),
    "play-therapy": _Approach(
        ("play therapy", "Play Therapy", "child-centered play therapy"),
        "creative",
        _bank("""
            Children don’t talk their feelings out; they play them out. The playroom is where they do
            their work.

            I use sand trays, puppets, art supplies and a lot of patience.

            Parents meet with me regularly — you’re the most important person in your child’s
            healing, not a bystander.

            I’m a {Registered Play Therapist (RPT)|Registered Play Therapist-Supervisor|play therapist
            in training toward the RPT} and work with kids from about 3 to 12.

            Sometimes a child plays out the same scene every week for a month, and then one day the
            ending changes. That’s the moment I wait for.
        """),
        _bank("""
            Play therapy for kids 3–12.

            Registered Play Therapist — kids heal through play.
        """),
        ("anxiety", "trauma-ptsd", "adhd", "autism", "family-conflict", "grief"),
        ("children",),
    ),
    "art-therapy": _Approach(
        ("art therapy", "Art Therapy", "expressive arts therapy"),
        "creative",
        _bank("""
            Art therapy gives you another way in when words run out — no talent required, I promise.

            We might paint, collage, or work with clay; the process matters more than what ends up on
            the paper.

            I’m a board-certified art therapist (ATR-BC) and often combine art-making with talk.

            People are surprised by what shows up in an image that they couldn’t have said out loud.
        """),
        _bank("""
            Art therapy — no artistic skill needed.

            Creative, art-based therapy for all ages.
        """),
        ("trauma-ptsd", "grief", "anxiety", "autism", "self-esteem"),
    ),
    "interpersonal-psychotherapy": _Approach(
        ("interpersonal psychotherapy", "IPT", "Interpersonal Psychotherapy (IPT)"),
        "relational",
        _bank("""
            IPT connects your mood to what’s happening in your relationships: grief, disputes, role
            changes, isolation.

            It’s time-limited — usually 12 to 16 weeks — with a clear focus we agree on early.

            I use IPT a lot in the perinatal period; becoming a parent is one of the biggest role
            transitions there is.

            We look at one or two key relationships closely and try new ways of communicating in
            real time.
        """),
        _bank("""
            IPT for depression and life transitions.

            Interpersonal psychotherapy, focused and time-limited.
        """),
        ("depression", "perinatal", "grief", "life-transitions", "relationship-issues"),
    ),
    "mentalization-based-treatment": _Approach(
        ("mentalization-based treatment", "MBT", "Mentalization-Based Treatment (MBT)"),
        "relational",
        _bank("""
            MBT helps you get better at something we all struggle with under stress: understanding
            what’s going on in your own mind and in other people’s.

            When emotions run high, mentalizing goes offline. We practise bringing it back.

            I take a “not-knowing” stance — I don’t assume I know what you meant, and I’ll ask.

            MBT was developed for people with intense, unstable relationships, and it’s one of the
            most humane approaches I know.
        """),
        _bank("""
            MBT — understanding minds, including your own.

            Mentalization-based treatment for intense relationships.
        """),
        ("personality-disorders", "emotion-regulation", "relationship-issues", "self-harm"),
    ),
    "sensorimotor-psychotherapy": _Approach(
        ("sensorimotor psychotherapy", "Sensorimotor Psychotherapy", "a sensorimotor approach"),
        "trauma",
        _bank("""
            Sensorimotor psychotherapy pays attention to posture, gesture and movement — the ways the
            body still carries what happened.

            We might notice that your shoulders rise whenever you mention your father, and explore
            that mindfully.

            It’s gentle and paced; the goal is never to re-live trauma but to find new resources in
            the body.

            I’m {Level 1|Level 2|Level 1 and 2} trained in Sensorimotor Psychotherapy.
        """),
        _bank("""
            Body-centred trauma therapy (Sensorimotor).

            Sensorimotor Psychotherapy — the body remembers, and it can learn.
        """),
        ("trauma-ptsd", "dissociation", "anxiety", "chronic-illness"),
    ),
    "attachment-based-therapy": _Approach(
        ("attachment-based therapy", "an attachment-focused approach", "attachment-based work"),
        "relational",
        _bank("""
            How we learned to attach as children — secure, anxious, avoidant, somewhere in between —
            shapes how we love and fight as adults.

            I help clients understand their attachment style without using it as a label or an
            excuse.

            With families, I use attachment-based family therapy to rebuild trust between teens and
            parents.

            Earned security is real: people become more secure through relationships that feel
            reliable, including this one.
        """),
        _bank("""
            Attachment-focused therapy for adults and families.

            Attachment-based: building secure connection.
        """),
        ("relationship-issues", "anxiety", "family-conflict", "parenting", "perinatal"),
    ),
    "feminist-therapy": _Approach(
        ("feminist therapy", "a feminist approach", "Feminist Therapy"),
        "humanistic",
        _bank("""
            Feminist therapy looks at your struggles in context — gender, power, culture, money —
            rather than treating them as purely personal failings.

            I aim for an egalitarian relationship: I’ll be transparent about my methods and my
            reasoning.

            “The personal is political” isn’t a slogan in my office; it’s a way of understanding why
            you feel the way you do.

            This approach is for everyone, not only women — anyone who’s felt boxed in by the roles
            they were handed.
        """),
        _bank("""
            Feminist, anti-oppressive therapy.

            Feminist therapy — your life in context.
        """),
        ("body-image", "trauma-ptsd", "self-esteem", "relationship-issues", "lgbtq-issues"),
    ),
    "psychoanalytic-therapy": _Approach(
        ("psychoanalytic therapy", "psychoanalysis", "psychoanalytic psychotherapy"),
        "relational",
        _bank("""
            Psychoanalytic therapy is slow, deep work, often two or more sessions a week, for people
            who want to understand themselves from the inside out.

            Free association sounds strange at first: say whatever comes to mind, even if it seems
            irrelevant. The irrelevant things are often the most telling.

            I offer psychoanalysis on the couch as well as face-to-face psychoanalytic psychotherapy.

            What we repeat, we haven’t yet been able to remember — so we pay attention to repetition.
        """),
        _bank("""
            Psychoanalysis and psychoanalytic psychotherapy.

            Depth work, at depth.
        """),
        ("depression", "anxiety", "relationship-issues", "personality-disorders"),
        ("adults",),
    ),
    "multicultural-counseling": _Approach(
        ("multicultural counseling", "culturally responsive therapy", "a multicultural lens"),
        "humanistic",
        _bank("""
            Your culture, language, faith and migration story aren’t side notes; they’re central to
            understanding what you’re going through.

            I work with many first- and second-generation clients caught between family expectations
            and their own path.

            I’ll ask about your background and won’t assume I understand it — even when we share
            parts of it.

            Racism, microaggressions and the exhaustion of code-switching are real, and we can talk
            about them directly.

            Bicultural identity can feel like belonging nowhere. It can also become a strength.
        """),
        _bank("""
            Culturally responsive therapy for BIPOC and immigrant clients.

            Multicultural counseling — your whole story.
        """),
        ("racial-identity", "life-transitions", "family-conflict", "anxiety"),
    ),
}

_FAMILY_LINES: dict[str, tuple[str, ...]] = {
    "relational": _bank("""
        I’m interested in what repeats — in your relationships, in your history, and sometimes between
        the two of us.

        Insight matters, but so does feeling something new while it’s happening.

        We’ll take the time it takes; I don’t believe in rushing something that took years to form.

        I think of symptoms as messages that haven’t found words yet.
    """),
    "cognitive": _bank("""
        I like structure, but I hold it loosely; you’re a person, not a protocol.

        We’ll track progress with a few simple measures, so neither of us has to guess.

        Skills are only useful if you use them on a bad Tuesday, so we practise for the bad Tuesday.

        I’ll explain the research in plain language — no jargon, no lecture.
    """),
    "trauma": _bank("""
        Safety comes first, and you set the pace. Always.

        I pay close attention to your window of tolerance — the zone where you can feel things without
        getting flooded or going numb.

        Trauma work doesn’t have to mean reliving the worst thing that ever happened to you.

        Your body has been protecting you the whole time; we start by thanking it, not fighting it.
    """),
    "humanistic": _bank("""
        I see you as a whole person, not a diagnosis.

        I bring my full self to sessions, and I hope you’ll feel free to bring yours.

        Growth rarely happens in a straight line, and that’s fine.

        I’d rather understand you than fix you — and understanding turns out to change things.
    """),
    "systemic": _bank("""
        I don’t take sides; the relationship is my client.

        Small changes in one person ripple through the whole system — that’s the hopeful part.

        Couples often wait six years before getting help. Earlier is easier, but it’s never too late.

        Sessions are sometimes 75 or 90 minutes, because good conversations between two people need
        room.
    """),
    "brief": _bank("""
        You don’t have to dig through your whole history to make a change this month.

        I’m goal-oriented and practical, and I’ll ask often whether we’re on track.

        Some people need four sessions, some need fourteen; we’ll find out together.
    """),
    "creative": _bank("""
        Not everything can be said in words — and it doesn’t have to be.

        Making something with your hands can calm the nervous system enough to let feelings surface.

        I keep the room full of materials and the pressure low.
    """),
}

_OPENERS = _bank("""
    I’ve been practising <A> for {about a decade|most of my career|over fifteen years|the last few
    years|nearly twenty years}, and it still {surprises|moves|humbles} me.

    <A> is one of the main ways I work.

    I came to <A> after {years of talk therapy that felt like it went in circles|a decade in
    community mental health|working on an inpatient unit|a first career in teaching|working in
    hospice care|my own experience as a client}.

    I {trained|was trained} in <A> {at a community clinic|at a university counseling center|during my
    internship at a VA hospital|through a two-year postgraduate program|at a trauma clinic} and kept
    using it because it works for the people I see.

    <A> shapes a lot of how I listen.

    People ask what <A> actually looks like in a session. Honestly? {It depends on the day.|Less
    mysterious than it sounds.|A lot of talking, and some noticing.|More ordinary than you’d think.}

    My use of <A> is {flexible|integrative|fairly traditional|adapted to each person|informed by my
    own cultural background}.

    Here’s how <A> shows up in my {office|practice|work}.

    When clients ask why I use <A>, I tell them the truth: {I’ve seen it work|it fits how I think
    about people|it’s what I’d want for myself}.

    I lean on <A> {a lot|more than any other approach|whenever it fits|alongside <other>}.

    <A>, for me, is less a technique than a way of paying attention.

    If you’ve never heard of <A>, you’re not alone — most of my clients hadn’t either.
""")
_EXAMPLES = _bank("""
    For {clients|people|folks} dealing with <issue>, this {often|usually} means {we start small|we go at
    your pace|we name what’s happening before we try to change it}.

    I’ve seen it help most with <issue> and <issue2>.

    A lot of the people I see come in with <issue>; <A> gives us a shared language for it.

    If you’re navigating <issue>, we’ll work out together what helps and what doesn’t.

    I use it most often with <client> facing <issue>.

    It’s been especially useful for <client> working through <issue>, though it isn’t limited to that.

    One client described it as “finally being able to breathe” after years of <issue>.

    With <issue>, I find it helps to {slow everything down|get concrete|notice the first moment things
    start to slide|stay curious instead of critical}.

    I see a lot of <client> in <city> who are juggling <issue> with demanding jobs and not much
    support.

    Whether it’s <issue>, <issue2>, or something you don’t have a name for yet, we start where you
    are.
""")
_PERSONAL = _bank("""
    I’m still learning — I {attend a weekly consultation group|see my own therapist|take at least one
    training a year} — and I think that keeps the work honest.

    I’m not rigid about it; if something else would serve you better, I’ll say so.

    I often blend it with <other> when that helps.

    I’m a {first-generation|bilingual|queer|neurodivergent|former-athlete} therapist, and that shapes how
    I use it — for the better, I hope.

    In my twenties I was the client who didn’t know what to say for the first three sessions. I
    remember that feeling.

    My own {therapy|training|life} taught me that change is rarely tidy and almost never linear.

    I’ve practised in {hospitals|schools|a crisis line|private practice|a college counseling center}
    and now {in private practice|mostly online|in a small group practice}, and <A> has travelled with
    me.

    I don’t think of it as the only way — it’s just the one I reach for most.
""")
_CAVEATS = _bank("""
    It isn’t a quick fix, and I won’t pretend it is.

    Some weeks it feels like progress; some weeks it doesn’t. Both are part of it.

    Research supports it, but what matters more to me is whether it’s working for you.

    It’s not for everyone, and a good first conversation will tell us whether it’s for you.

    Therapy is hard work — but it shouldn’t feel like punishment.
""")
_CLOSERS = _bank("""
    If that sounds like a fit, reach out — a first call costs nothing.

    You don’t need to know anything about <A> before we start.

    Curious? Ask me anything about it in a consultation.

    We’ll decide together whether it’s the right fit.

    It’s collaborative, practical, and — I hope — kind.

    No jargon required.

    I’d love to hear what you’re looking for.

    You’re welcome exactly as you are.

    {Call|Email|Message} me and we’ll set up a {15|20}-minute consult.

    Bring your questions, your doubts, your “I’m not sure therapy is for me.” All of it belongs here.
""")
# Short second sentences after a one-line statement.
_SIGN_OFFS = _bank("""
    {Adults|Couples|Teens and adults|Individuals and couples} welcome.

    {In person|Online|In person and online} {in <city>|across the state|by video}.

    Ask me about it.

    {Free|Complimentary} 15-minute consult.

    {Always|Usually} alongside <other>.

    Especially for <issue>.

    {Trained|Certified} and still learning.

    Gentle, {paced|collaborative|practical}.
""")
# Added by therapists who also work in another language, in that language.
_LANGUAGE_LINES: dict[str, tuple[str, ...]] = {
    "es": ("También ofrezco terapia en español.", "Atiendo en español e inglés — como te sientas más cómodo.",
           "Sesiones disponibles en español; mi familia es de {Oaxaca|Medellín|Santurce|Guadalajara}."),
    "vi": ("Tôi cũng có thể làm việc bằng tiếng Việt.",),
    "ko": ("한국어 상담도 가능합니다.",),
    "zh-Hans": ("也可以用中文（普通话）进行咨询。",),
    "pt-BR": ("Atendo também em português.",),
    "fr": ("Je reçois aussi en français — n’hésitez pas.",),
    "ar": ("أقدم الجلسات باللغة العربية أيضًا.",),
    "ase": ("I sign fluently (ASL) and see Deaf and hard-of-hearing clients directly — no interpreter.",),
    "tl": ("Maaari rin tayong mag-usap sa Tagalog.",),
}
_SPANISH_STATEMENTS = _bank("""
    Uso <A> para acompañarte a entender tus patrones y a construir relaciones más sanas — a tu ritmo.

    Para mí, <A> es una forma de escuchar: sin juicios, con curiosidad y mucho respeto por tu historia
    y tu cultura.

    Trabajo con <A> desde hace años; muchas de las personas que atiendo son inmigrantes o hijos de
    inmigrantes, y eso también forma parte de la conversación.
""")

# How Spanish-speaking therapists name the approaches they write about in Spanish.
_SPANISH_NAMES = {
    "relational-therapy": "la terapia relacional",
    "cognitive-behavioral-therapy": "la terapia cognitivo-conductual",
    "emdr": "EMDR", "dialectical-behavior-therapy": "la DBT",
    "psychodynamic-therapy": "la terapia psicodinámica",
    "person-centered-therapy": "la terapia centrada en la persona", "internal-family-systems": "IFS",
    "acceptance-and-commitment-therapy": "la terapia de aceptación y compromiso (ACT)",
    "narrative-therapy": "la terapia narrativa", "family-systems-therapy": "la terapia familiar sistémica",
    "play-therapy": "la terapia de juego", "art-therapy": "la arteterapia",
    "multicultural-counseling": "la consejería multicultural",
    "attachment-based-therapy": "la terapia basada en el apego",
    "emotionally-focused-therapy": "la terapia focalizada en las emociones",
}

_ISSUE_PHRASES = {
    "anxiety": "anxiety", "depression": "depression", "trauma-ptsd": "trauma", "relationship-issues":
    "relationship struggles", "grief": "grief", "addiction": "addiction", "substance-use": "substance use",
    "eating-disorders": "disordered eating", "body-image": "body image concerns", "ocd": "OCD",
    "adhd": "ADHD",
    "bipolar-disorder": "bipolar disorder", "self-esteem": "low self-worth", "stress": "chronic stress",
    "life-transitions": "big life transitions", "parenting": "the strain of parenting",
    "family-conflict": "family conflict", "lgbtq-issues": "coming out and queer identity",
    "racial-identity": "racial trauma", "chronic-illness": "chronic illness or pain", "anger": "anger",
    "sleep": "insomnia", "perinatal": "postpartum depression", "suicidal-thoughts": "suicidal thoughts",
    "self-harm": "self-harm", "personality-disorders": "intense, shifting emotions", "infidelity":
    "the aftermath of an affair", "divorce": "divorce", "work-career": "burnout at work", "panic":
    "panic attacks", "phobias": "phobias", "dissociation": "dissociation", "psychosis": "psychosis",
    "autism": "life as an autistic adult", "spirituality": "questions of faith", "caregiving":
    "caring for an aging parent", "loneliness": "loneliness", "emotion-regulation": "overwhelming emotions",
}
_CLIENT_NOUNS = {
    "children": ("kids", "young children and their parents"),
    "teens": ("teens", "adolescents", "high schoolers"),
    "young-adults": ("college students", "young adults", "people in their twenties"),
    "adults": ("adults", "professionals", "parents", "people in midlife"),
    "elders": ("older adults", "retirees"),
}

_HELP_WITH = _bank("""
    I help <client> with <issue>, <issue2> and <issue3>.

    Most of the people I see are {high-achieving and exhausted|in the middle of a big change|
    tired of feeling stuck|caring for everyone except themselves}.

    You might be here because of <issue>, or because something just feels off and you can’t name it.

    I also see a lot of <client> dealing with <issue2>.
""")
_APPROACH_BIO = _bank("""
    My approach draws on <A> and <other>, fitted to you.

    I’m {warm and direct|curious and collaborative|practical, with a sense of humour}.

    Sessions are a mix of talking, noticing and trying things out.

    I integrate <A> with whatever else serves you — I’m not a purist.
""")
_ABOUT = _bank("""
    Before becoming a therapist I {worked in tech|taught middle school|was a paramedic|worked as a
    chef|ran a small bookshop|served in the Army}.

    Outside the office I {garden badly|run slowly|bake sourdough|sing in a community choir|walk my
    dog, Biscuit|coach youth soccer|read too many mystery novels}.

    I’ve lived in <city> for {six|ten|fifteen|most of my} years and love it here.

    I earned my {master’s|doctorate} from a program with a strong focus on community mental health.

    I’m a {parent of two|dog person|lifelong learner|grandparent|former dancer}, and I bring that
    humanity into the room.
""")


def _expand(template: str, rng: random.Random, fill: dict[str, str]) -> str:
    """Expand `{a|b}` choices (innermost first) and `<name>` placeholders."""
    choice = re.compile(r"\{([^{}]*)\}")
    while True:
        expanded = choice.sub(lambda m: rng.choice(m.group(1).split("|")), template, count=1)
        if expanded == template:
            break
        template = expanded
    return re.sub(r"<(\w+)>", lambda m: fill[m.group(1)], template)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# How each therapist types: most paste from a word processor (curly quotes, em dashes); some type
# straight quotes and double hyphens; a few write in all lower case.
_PLAIN_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-"})


def _typed(text: str, style: str) -> str:
    if style == "smart":
        return text
    if style == "plain":
        return text.translate(_PLAIN_PUNCTUATION).replace(" — ", " -- ")
    if style == "mixed":  # curly apostrophes, straight double quotes, spaced hyphens for dashes
        return text.replace("“", '"').replace("”", '"').replace(" — ", " - ")
    if style == "lower":
        return text.lower()
    if style == "double-space":
        return re.sub(r"([.?!]) (?=\S)", r"\1  ", text)
    raise ValueError(style)


def _weighted(rng: random.Random, options: dict, k: int = 1) -> list:
    """`k` distinct keys of `options`, each drawn with its weight."""
    pool = dict(options)
    picked = []
    while pool and len(picked) < k:
        key = rng.choices(list(pool), weights=list(pool.values()))[0]
        picked.append(key)
        del pool[key]
    return picked


def npi_check_digit(first_nine: str) -> str:
    """Luhn check digit of an NPI: computed over the card-issuer prefix 80840 plus the first 9 digits."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # doubled digits, counting from the one left of the check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


_APPROACH_WEIGHTS = {slug: 3 for slug in _APPROACHES} | {
    "relational-therapy": 30, "cognitive-behavioral-therapy": 14, "emdr": 9, "psychodynamic-therapy": 7,
    "person-centered-therapy": 7, "internal-family-systems": 7, "acceptance-and-commitment-therapy": 7,
    "dialectical-behavior-therapy": 6, "emotionally-focused-therapy": 5, "attachment-based-therapy": 6,
    "mindfulness-based-cognitive-therapy": 4, "gottman-method": 4, "multicultural-counseling": 5,
}
_LANGUAGE_WEIGHTS = {
    "es": 30, "zh-Hans": 4, "zh-Hant": 2, "vi": 4, "ko": 4, "tl": 3, "ar": 3, "fr": 4, "pt-BR": 3, "ase": 3,
    "ru": 3, "hi": 3, "fa": 2, "he": 2, "de": 2, "ja": 2, "ht": 2, "pl": 2, "it": 1, "yue": 1, "so": 1,
}
_GENDERS = {
    "woman": 50, "man": 25, "non-binary": 8, "transgender woman": 2, "transgender man": 2, "genderqueer": 2,
}
_PRONOUNS = {"woman": "she/her", "man": "he/him", "non-binary": "they/them", "transgender woman": "she/her",
             "transgender man": "he/him", "genderqueer": "they/them"}
_RACE_ETHNICITY = {
    "white": 30, "black": 14, "hispanic-latino": 14, "asian": 10, "middle-eastern-north-african": 3,
    "native-american": 2, "pacific-islander": 2, "south-asian": 4, "multiracial": 4,
}
_FAITHS = {"christian": 8, "jewish": 5, "muslim": 3, "buddhist": 3, "hindu": 2, "secular": 4, "spiritual": 4,
           "catholic": 4, "quaker": 1}
_STATUS = {"newpt": 60, "waitlist": 12, "nopt": 10, "existptonly": 6, "existptfam": 3}
_COMMON_ISSUES = ("anxiety", "depression", "trauma-ptsd", "relationship-issues", "stress", "self-esteem")
_TYPING_STYLES = ("smart", "plain", "mixed", "lower", "double-space")
_FORMAT_CHOICES = (
    ("in_person",), ("in_person", "video"), ("in_person", "video", "phone"), ("video",), ("video", "phone"),
)
_USUAL_AGES = (
    ("adults",), ("adults", "young-adults"), ("teens", "young-adults", "adults"), ("adults", "elders"),
    ("young-adults",),
)
_FALLBACK_OTHERS = ("mindfulness", "CBT skills", "attachment theory")
_PRACTICE_LABELS = ("Main office", "Downtown office", "Home office", "Office", "{city} office",
                    "Satellite office",
                    "Wellness center", None)


class _Therapist:
    """Draws one invented therapist; every choice comes from the shared `rng`, in a fixed order."""

    def __init__(self, rng: random.Random, used_names: set[str], now: datetime):
        self.rng = rng
        self.used_names = used_names
        self.now = now

    def build(self) -> DemoTherapist:
        rng = self.rng
        self.metro = rng.choices(_METROS, weights=[m.weight for m in _METROS])[0]
        self.state = self.metro.state
        self.profession = self._profession()
        self.gender = _weighted(rng, _GENDERS)[0]
        self.given, self.family = self._name_parts()
        self.written: set[str] = set()
        self.slugs = self._approaches()
        self.issue_slugs = self._issues()
        self.ages = self._age_groups()
        self.languages = self._languages()
        self.city = self._city()
        self.style = rng.choices(_TYPING_STYLES, weights=(62, 16, 14, 2, 6))[0]
        formats = self._formats()
        profile: dict = {
            "displayName": self._display_name(),
            "title": rng.choice(self.profession.titles),
            "location": {"city": self.city, "state": self.state},
        }
        if rng.random() < 0.8:
            own = _PRONOUNS[self.gender]
            profile["pronouns"] = rng.choice((own, own, own, "she/they", "he/they"))
        if rng.random() < 0.7:
            profile["photoUrl"] = f"https://images.example.org/demo/therapists/{rng.getrandbits(48):012x}.jpg"
        if rng.random() < 0.85:
            associate = self.profession.kind == "ASSOCIATE"
            profile["yearsInPractice"] = rng.choice((0, 1, 2)) if associate else rng.randint(2, 38)
        profile["licences"] = self._licences()
        if self.profession.kind != "ASSOCIATE" and rng.random() < 0.6:
            first_nine = str(rng.choice((1, 2))) + "".join(str(rng.randint(0, 9)) for _ in range(8))
            profile["npi"] = first_nine + npi_check_digit(first_nine)
        taxonomy = rng.choice(self.profession.taxonomy)
        if taxonomy and rng.random() < 0.85:
            profile["taxonomyCode"] = taxonomy
        profile["locations"] = self._locations("in_person" in formats)
        if "video" in formats or "phone" in formats:
            profile["telehealthStates"] = self._telehealth_states(profile["licences"])
        profile["formats"] = formats
        status = _weighted(rng, _STATUS)[0] if rng.random() < 0.92 else None
        if status:
            profile["newClientStatus"] = status
        profile["money"] = self._money()
        top_count = rng.randint(1, 3)
        profile["issues"] = [{"slug": slug, "top": i < top_count} for i, slug in enumerate(self.issue_slugs)]
        profile["populations"] = self._populations()
        profile["ageGroups"] = self.ages
        profile["languages"] = self.languages
        if rng.random() < 0.55:
            profile["identity"] = self._identity()
        profile["bio"] = self._bio()
        profile["email"] = self._email()
        profile["phone"] = self._phone()
        statements = [(slug, self._statement(slug)) for slug in self.slugs]
        return DemoTherapist(profile, statements, self._availability(status))

    # -- who ------------------------------------------------------------------------------------

    def _profession(self) -> _Profession:
        profession = self.rng.choices(_PROFESSIONS, weights=[p.weight for p in _PROFESSIONS])[0]
        kind = profession.kind
        if kind in _COUNSELOR_KINDS:
            kind = _COUNSELOR_KIND_BY_STATE.get(self.state, "LPC")
        elif kind in {"LCSW", "LICSW"}:
            kind = "LICSW" if self.state in _LICSW_STATES and self.rng.random() < 0.6 else "LCSW"
        return next(p for p in _PROFESSIONS if p.kind == kind)

    def _name_parts(self) -> tuple[str, str]:
        rng = self.rng
        firsts, lasts = rng.choices(_FAMILY_NAME_STYLES, weights=(10, 5, 3, 2, 2, 1))[0]
        family = rng.choice(firsts) + rng.choice(lasts)
        if rng.random() < 0.08:
            other_firsts, other_lasts = rng.choice(_FAMILY_NAME_STYLES)
            family = f"{family}-{rng.choice(other_firsts)}{rng.choice(other_lasts)}"
        return rng.choice(_GIVEN_NAMES), family

    def _display_name(self) -> str:
        rng = self.rng
        while True:
            given, family = self.given, self.family
            initial = rng.choice(_MIDDLE_INITIALS)
            credential = rng.choice(self.profession.credentials)
            doctor = self.profession.doctor
            forms = [
                f"{given} {initial}. {family}, {credential}", f"{given} {family}, {credential}",
                f"{given} {family} {credential}", f"{given} {family}", f"{family}, {given}",
                f"{given} {initial}. {family}", f"{given.upper()} {family.upper()}, {credential}",
                f"{given} {family} ({rng.choice(('she/her', 'they/them', 'he/him'))})",
                f"{given.lower()} {family.lower()}", f"{given[0]}. {initial}. {family}, {credential}",
                f"{given} {family}, {credential} #{rng.randint(1000, 99999)}",
            ]
            weights = [16, 20, 8, 14, 3, 6, 2, 2, 2, 2, 2]
            if doctor:
                forms += [f"Dr. {given} {family}", f"dr. {given.lower()} {family.lower()} {credential}",
                          f"Dr {given} {initial}. {family}, {credential}"]
                weights += [12, 3, 5]
            if given in _NICKNAMES:
                forms.append(f"{given} “{_NICKNAMES[given]}” {family}, {credential}")
                weights.append(10)
            name = rng.choices(forms, weights=weights)[0]
            if name.lower() not in self.used_names:
                self.used_names.add(name.lower())
                return name
            self.given, self.family = self._name_parts()

    def _email(self) -> str:
        rng = self.rng
        local = rng.choice((f"{self.given}.{self.family}", f"{self.given[0]}{self.family}",
                            f"hello.{self.family}",
                            f"{self.given}{rng.randint(1, 99)}", f"{self.family}counseling"))
        local = re.sub(r"[^a-z0-9.]", "", _ascii(local).lower())
        return f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}"

    def _phone(self) -> str:
        area, line = self.metro.area_code, f"01{self.rng.randint(0, 99):02d}"
        return self.rng.choice((f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}",
                                f"{area}.555.{line}"))

    # -- what -----------------------------------------------------------------------------------

    def _approaches(self) -> list[str]:
        count = self.rng.choices((1, 2, 3, 4, 5, 6), weights=(14, 24, 27, 18, 10, 7))[0]
        weights = dict(_APPROACH_WEIGHTS)
        if self.profession.kind == "LMFT":
            for slug in ("emotionally-focused-therapy", "gottman-method", "family-systems-therapy",
                         "structural-family-therapy"):
                weights[slug] *= 3
        return _weighted(self.rng, weights, count)

    def _issues(self) -> list[str]:
        weights = {slug: 2 for slug in ISSUES}
        for slug in self.slugs:
            for issue in _APPROACHES[slug].issues:
                weights[issue] += 8
        for common in _COMMON_ISSUES:
            weights[common] += 6
        return _weighted(self.rng, weights, self.rng.randint(3, 12))

    def _age_groups(self) -> list[str]:
        ages = {age for slug in self.slugs for age in _APPROACHES[slug].ages}
        if not ages or self.rng.random() < 0.5:
            ages |= set(self.rng.choice(_USUAL_AGES))
        return [age for age in ("children", "teens", "young-adults", "adults", "elders") if age in ages]

    def _languages(self) -> list[str]:
        rng = self.rng
        extra = rng.choices((0, 1, 2), weights=(62, 32, 6))[0]
        weights = dict(_LANGUAGE_WEIGHTS)
        if self.state in {"TX", "CA", "FL", "AZ", "NM", "PR"}:
            weights["es"] *= 3
        languages = ["en"] + _weighted(rng, weights, extra)
        if self.state == "PR" or ("es" in languages and rng.random() < 0.15):
            languages = ["es"] + [code for code in languages if code not in {"en", "es"}]
            if rng.random() < 0.7:
                languages.append("en")
        return languages

    def _populations(self) -> list[str]:
        populations = {"individuals"}
        if any(_APPROACHES[s].family == "systemic" for s in self.slugs) or self.profession.kind == "LMFT":
            populations |= {"couples", "families"}
        extras = ("groups", "veterans", "first-responders", "students", "immigrants", "bipoc", "lgbtq")
        populations |= set(self.rng.sample(extras, self.rng.randint(0, 3)))
        return sorted(populations)

    def _identity(self) -> dict:
        rng = self.rng
        identity: dict = {}
        if rng.random() < 0.9:
            identity["gender"] = self.gender
        if rng.random() < 0.7:
            count = rng.choices((1, 2), weights=(85, 15))[0]
            identity["raceEthnicity"] = _weighted(rng, _RACE_ETHNICITY, count)
        if rng.random() < 0.6:
            identity["lgbtq"] = rng.random() < 0.3 or self.gender in {"non-binary", "genderqueer"}
        if rng.random() < 0.3:
            identity["faith"] = _weighted(rng, _FAITHS)[0]
        return identity

    # -- where ----------------------------------------------------------------------------------

    def _city(self) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return ""
        if roll < 0.08:
            return self.rng.choice(self.metro.zips)[0]  # typed the ZIP code into the city box
        if roll < 0.1:
            return self.metro.city.upper() if self.rng.random() < 0.5 else self.metro.city.lower()
        return self.metro.city

    def _formats(self) -> list[str]:
        if not self.city:
            return self.rng.choice((["video"], ["video", "phone"]))
        return list(self.rng.choices(_FORMAT_CHOICES, weights=(12, 45, 25, 12, 6))[0])

    def _locations(self, in_person: bool) -> list[dict]:
        rng = self.rng
        if not in_person:
            return []
        locations = []
        for index in range(rng.choices((1, 2), weights=(80, 20))[0]):
            postal_code, lat, lon = rng.choice(self.metro.zips)
            private = rng.random() < (0.25 if index == 0 else 0.1)
            street = (f"{rng.randint(12, 9800)} {rng.choice(_STREET_NAMES)} {rng.choice(_STREET_KINDS)}")
            if not private and rng.random() < 0.6:
                street += ", " + rng.choice(_SUITES).format(n=rng.randint(100, 950), f=rng.randint(2, 12))
            label = "Home office" if private and rng.random() < 0.5 else rng.choice(_PRACTICE_LABELS)
            location: dict = {
                "street": street,
                "city": self.city if self.city and not self.city.isdigit() else self.metro.city,
                "state": self.state,
                "postalCode": postal_code,
                "point": {"lat": lat, "lon": lon},
                "isPrivate": private,
            }
            if label:
                location = {"label": label.format(city=self.metro.city)} | location
            locations.append(location)
        return locations

    def _telehealth_states(self, licences: list[dict]) -> list[str]:
        states = [self.state] + [lic["state"] for lic in licences if lic["state"] != self.state]
        return list(dict.fromkeys(states))

    def _licences(self) -> list[dict]:
        rng = self.rng
        kinds = [self.profession.kind]
        if "addiction" in self.issue_slugs and self.profession.kind != "LADC" and rng.random() < 0.3:
            kinds.append("LADC")
        states = [self.state]
        neighbours = _NEIGHBOURS.get(self.state, ())
        if neighbours and rng.random() < 0.3:
            states += rng.sample(neighbours, rng.randint(1, min(2, len(neighbours))))
        licences = []
        for state in states:
            for kind in kinds if state == self.state else kinds[:1]:
                number = rng.choice((
                    f"{rng.randint(10000, 999999)}", f"{kind} {rng.randint(1000, 99999)}",
                    f"{kind}-{rng.randint(10000, 99999)}", f"{state}{rng.randint(100000, 999999)}",
                    f"{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
                ))
                year = self.now.year + rng.choice((0, 1, 1, 2, 2, 3))
                expires = date(year, rng.randint(1, 12), rng.randint(1, 28))
                licences.append({"kind": kind, "state": state, "number": number,
                                 "numberPublic": rng.random() < 0.3, "expires": expires.isoformat()})
        return licences

    # -- money and time -------------------------------------------------------------------------

    def _money(self) -> dict:
        rng = self.rng
        associate = self.profession.kind == "ASSOCIATE"
        base = rng.randrange(60, 180, 5) if associate else rng.randrange(110, 300, 5)
        fees = [{"sessionType": "individual", "amountUsd": base}]
        populations = set(self._populations_hint())
        if "couples" in populations:
            fees.append({"sessionType": "couples", "amountUsd": base + rng.randrange(20, 80, 5)})
        if "families" in populations and rng.random() < 0.6:
            fees.append({"sessionType": "family", "amountUsd": base + rng.randrange(10, 60, 5)})
        if rng.random() < 0.25:
            fees.append({"sessionType": "intake", "amountUsd": base + rng.randrange(0, 60, 5)})
        if rng.random() < 0.1:
            fees.append({"sessionType": "group", "amountUsd": rng.randrange(40, 90, 5)})
        money: dict = {"fees": fees}
        if rng.random() < 0.35:
            low = max(0, base - rng.randrange(40, 110, 5))
            money["slidingScale"] = {"minUsd": low, "maxUsd": base}
        money["freeConsultation"] = rng.random() < 0.6
        if rng.random() < 0.55:
            plans = dict.fromkeys(INSURANCE_PLANS, 1)
            money["insurance"] = sorted(_weighted(rng, plans, rng.randint(1, 6)))
        money["outOfNetworkSuperbill"] = rng.random() < 0.6
        return money

    def _populations_hint(self) -> list[str]:
        systemic = any(_APPROACHES[s].family == "systemic" for s in self.slugs)
        return ["couples", "families"] if systemic or self.profession.kind == "LMFT" else []

    def _availability(self, status: str | None) -> str | None:
        if status is None or self.rng.random() < 0.12:
            return None
        days = self.rng.choice((self.rng.randint(0, 30), self.rng.randint(0, 59), self.rng.randint(61, 400)))
        confirmed = self.now - timedelta(days=days, minutes=self.rng.randint(0, 1439))
        return confirmed.replace(second=0, microsecond=0).isoformat().replace("+00:00", "Z")

    # -- words ----------------------------------------------------------------------------------

    def _fill(self, slug: str) -> dict[str, str]:
        rng = self.rng
        issues = [_ISSUE_PHRASES[s] for s in self.issue_slugs] or ["stress"]
        rng.shuffle(issues)
        issues += ["stress", "anxiety", "grief"]
        others = [s for s in self.slugs if s != slug]
        other = _APPROACHES[rng.choice(others)].names[0] if others else rng.choice(_FALLBACK_OTHERS)
        nouns = [noun for age in self.ages for noun in _CLIENT_NOUNS[age]] or ["adults"]
        city = self.metro.city if self.city else rng.choice(
            ("my state", "our area", "this part of the country")
        )
        return {"A": rng.choice(_APPROACHES[slug].names), "other": other, "issue": issues[0],
                "issue2": issues[1], "issue3": issues[2], "client": rng.choice(nouns), "city": city}

    def _pick(self, bank: tuple[str, ...], k: int | None = None):
        """Sentences from `bank` this therapist has not written yet, while there are any.

        One sentence, or a list of `k` when `k` is given.
        """
        fresh = [sentence for sentence in bank if sentence not in self.written] or list(bank)
        picked = self.rng.sample(fresh, min(k or 1, len(fresh)))
        self.written.update(picked)
        return picked if k is not None else picked[0]

    def _statement(self, slug: str) -> str:
        rng = self.rng
        approach = _APPROACHES[slug]
        fill = self._fill(slug)
        shape = rng.choices(("line", "short", "medium", "long"), weights=(14, 26, 36, 24))[0]
        if "es" in self.languages and slug in _SPANISH_NAMES and rng.random() < 0.2:
            fill["A"] = _SPANISH_NAMES[slug]
            sentences = [self._pick(_SPANISH_STATEMENTS)]
        elif shape == "line":
            crisp = tuple(sentence for sentence in approach.core if len(sentence) < 110)
            sentences = [self._pick(approach.short + crisp + (rng.choice(_OPENERS),))]
            if rng.random() < 0.5:
                sentences += self._pick(_SIGN_OFFS, 1)
        else:
            core_count = {"short": 1, "medium": rng.randint(1, 2), "long": rng.randint(2, 4)}[shape]
            sentences = self._pick(_OPENERS, 1) if rng.random() < 0.6 else []
            sentences += self._pick(approach.core, core_count)
            if shape != "short":
                sentences += self._pick(_EXAMPLES, 1)
                if rng.random() < 0.5:
                    sentences += self._pick(_FAMILY_LINES[approach.family], 1)
            if shape == "long":
                sentences += self._pick(_PERSONAL, rng.randint(1, 2))
                if rng.random() < 0.6:
                    sentences += self._pick(_CAVEATS, 1)
                sentences += self._pick(approach.core, 1)
            if shape != "short" and rng.random() < 0.7:
                sentences += self._pick(_CLOSERS, 1)
        sentences = list(dict.fromkeys(sentences))  # a sentence drawn twice is written once
        for language in self.languages[1:]:
            if language in _LANGUAGE_LINES and rng.random() < 0.35:
                sentences.append(rng.choice(_LANGUAGE_LINES[language]))
        written = [_sentence_case(_expand(sentence, rng, fill)) for sentence in sentences]
        if shape == "long" and len(written) > 4 and rng.random() < 0.5:
            cut = rng.randint(2, len(written) - 2)
            text = " ".join(written[:cut]) + "\n\n" + " ".join(written[cut:])
        else:
            text = " ".join(written)
        while len(text) > MAX_STATEMENT_CHARS:
            text = text[: text.rfind(" ", 0, MAX_STATEMENT_CHARS - 1)].rstrip(" ,;—-") + "…"
        return _typed(text, self.style)

    def _bio(self) -> dict:
        rng = self.rng
        slug = self.slugs[0]
        fill = self._fill(slug)
        bio = {
            "helpWith": " ".join(_expand(s, rng, fill) for s in rng.sample(_HELP_WITH, rng.randint(1, 3))),
            "approach": " ".join(_expand(s, rng, fill) for s in rng.sample(_APPROACH_BIO, rng.randint(1, 3))),
            "about": " ".join(_expand(s, rng, fill) for s in rng.sample(_ABOUT, rng.randint(0, 3))),
        }
        bio = {key: _typed(_sentence_case(value), self.style) for key, value in bio.items() if value}
        return bio
