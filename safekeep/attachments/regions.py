"""The body map's fixed list of regions, in plain words, and where each sits on the outline.

Left and right are always the child's own. On the front view the child's left is on the viewer's
right; the back view is mirrored, so the same region code lands on the right spot on both.
"""

# code, words, (x, y) on a 200 x 400 front view (viewer's coordinates)
REGIONS = [
    ("head", "Head or face", (100, 32)),
    ("neck", "Neck", (100, 64)),
    ("upper_body", "Chest or upper back", (100, 100)),
    ("lower_body", "Stomach or lower back", (100, 145)),
    ("pelvis", "Hips, groin or bottom", (100, 188)),
    ("left_upper_arm", "Left upper arm or shoulder", (146, 96)),
    ("right_upper_arm", "Right upper arm or shoulder", (54, 96)),
    ("left_forearm", "Left forearm or wrist", (156, 150)),
    ("right_forearm", "Right forearm or wrist", (44, 150)),
    ("left_hand", "Left hand", (163, 200)),
    ("right_hand", "Right hand", (37, 200)),
    ("left_thigh", "Left thigh", (118, 240)),
    ("right_thigh", "Right thigh", (82, 240)),
    ("left_lower_leg", "Left knee or lower leg", (118, 305)),
    ("right_lower_leg", "Right knee or lower leg", (82, 305)),
    ("left_foot", "Left foot", (120, 366)),
    ("right_foot", "Right foot", (80, 366)),
]
REGION_CHOICES = [(code, words) for code, words, _ in REGIONS]
REGION_WORDS = dict(REGION_CHOICES)
_POINTS = {code: point for code, _, point in REGIONS}

FIGURE_WIDTH, FIGURE_GAP = 200, 40
# One side of the outline (viewer's left half), mirrored for the other half: shoulder, arm, hand, leg, foot.
_HALF = [(100, 54), (88, 56), (86, 70), (60, 74), (48, 84), (38, 140), (28, 196), (30, 214), (44, 212),
         (52, 150), (66, 110), (68, 170), (66, 200), (72, 300), (70, 356), (62, 374), (96, 374), (98, 300),
         (100, 212)]


def outline_path(offset: int) -> str:
    """The body outline (not the head) as an SVG path for a figure drawn at x = offset."""
    half = [(x + offset, y) for x, y in _HALF]
    other = [(FIGURE_WIDTH - x + offset, y) for x, y in reversed(_HALF)]
    points = half + other
    return "M" + " L".join(f"{x},{y}" for x, y in points) + " Z"


def dot_position(side: str, region: str, nth_here: int) -> tuple[int, int]:
    """Where a numbered dot goes: the region's point (mirrored on the back), spread out when several
    marks share a region so each number stays readable."""
    x, y = _POINTS.get(region, (100, 200))
    if side == "back":
        x = FIGURE_WIDTH - x + FIGURE_WIDTH + FIGURE_GAP
    # Dots have a radius of 9: 18 apart, beside then below the first (0, right, left; next row...).
    return x + (0, 18, -18)[nth_here % 3], y + (nth_here // 3) * 18


# Where each region can be tapped on the front view (viewer's coordinates: x, y, width, height). The
# child's right side is on the viewer's left; the left-hand regions mirror these, and the back view is
# mirrored as a whole, like the dots.
_RIGHT_AND_MIDDLE_BOXES = {
    "head": (78, 8, 44, 44), "neck": (86, 52, 28, 18), "upper_body": (68, 70, 64, 52),
    "lower_body": (68, 122, 64, 46), "pelvis": (66, 168, 68, 44), "right_upper_arm": (40, 74, 28, 48),
    "right_forearm": (28, 122, 28, 68), "right_hand": (22, 190, 30, 28), "right_thigh": (66, 212, 34, 58),
    "right_lower_leg": (66, 270, 34, 86), "right_foot": (58, 356, 42, 22),
}


def _front_box(code: str) -> tuple[int, int, int, int]:
    if code in _RIGHT_AND_MIDDLE_BOXES:
        return _RIGHT_AND_MIDDLE_BOXES[code]
    x, y, width, height = _RIGHT_AND_MIDDLE_BOXES["right_" + code.removeprefix("left_")]
    return FIGURE_WIDTH - x - width, y, width, height


def picker_regions(side: str) -> list[dict]:
    """The regions of one figure ("front" or "back") as boxes to tap, each named in plain words."""
    regions = []
    for code, words, _ in REGIONS:
        x, y, width, height = _front_box(code)
        if side == "back":
            x = FIGURE_WIDTH - x - width + FIGURE_WIDTH + FIGURE_GAP
        regions.append({"code": code, "words": words, "x": x, "y": y, "width": width, "height": height})
    return regions
