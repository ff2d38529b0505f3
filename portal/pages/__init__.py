"""Pages shared by several portals (partners, people, tokens, activity, account); each portal's
router mounts them under its own prefix and tells them which portal they are in."""
