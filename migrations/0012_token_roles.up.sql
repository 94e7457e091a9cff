-- API tokens carry a role (issue 9: the role matrix applies to tokens too): at most their
-- creator's. Existing tokens keep what they could do: write tokens were an owner's full
-- access, read tokens a viewer's.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'admin', 'editor', 'viewer'));

UPDATE api_tokens SET role = 'viewer' WHERE scope = 'read';
