from __future__ import annotations

from collections.abc import Iterator

from ..model import AppInfo, Confidence, Facts, Finding, Location, Severity
from .base import DEBUG_IDS, Rule


class DebuggableBuild(Rule):
    """App is built debuggable (JDWP reachable, `get-task-allow`).

    ## What
    The Android manifest sets `android:debuggable="true"` (as a literal or through
    a resource that resolves to true), or an iOS binary's entitlements grant
    `get-task-allow`.

    ## Why
    A debuggable Android app starts a JDWP agent reachable through
    `@jdwp-control`; anyone with adb (or malware on a rooted device) can attach
    a debugger, run code in the app's process and read its data. `get-task-allow`
    lets any debugger attach on iOS. This is OWASP MASWE-0067 (beta) /
    MASWE-0063 (v1), CWE-489; MASTG-TEST-0226 and MASTG-TEST-0261.

    ## Fix
    Never ship debug builds: let the build system set the flag (Gradle's release
    build type sets `debuggable false`; remove any hard-coded
    `android:debuggable` from the manifest), and sign release IPAs with a
    distribution profile.
    """

    id = "debuggable-build"
    order = 60
    severity = Severity.HIGH
    ids = DEBUG_IDS
    tags = ("debug",)

    def check(self, facts: Facts) -> Iterator[Finding]:
        app = facts.app
        if app is None:
            return
        records = [app]
        ios = app.extra.get("ios")  # a source tree with both apps keeps the iOS record beside the Android one
        if app.platform == "android" and isinstance(ios, dict):
            records.append(AppInfo(**{k: v for k, v in ios.items() if k in AppInfo.__dataclass_fields__}))
        for rec in records:
            if rec.debuggable:
                yield self._finding(facts, rec)

    def _finding(self, facts: Facts, app: AppInfo) -> Finding:
        src = app.debuggable_source or "manifest"
        if app.platform == "ios" and src == "entitlements":  # a source tree: no binary, the file says it
            msg = "entitlements set get-task-allow (debuggable)"
        elif app.platform == "ios":
            msg = "binary is signed with get-task-allow (debuggable)"
        else:
            msg = f"android:debuggable is true ({src})"
        loc_file = app.extra.get("manifest_path", "AndroidManifest.xml" if app.platform == "android" else None)
        loc = Location(file=loc_file, line=app.extra.get("debuggable_line"),
                       column=app.extra.get("debuggable_column"))
        return self.finding(facts, msg, loc, confidence=Confidence.HIGH,
                            evidence=app.extra.get("debuggable_evidence"))
