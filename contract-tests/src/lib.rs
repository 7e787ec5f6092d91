//! Contract testing against the effective Nango spec (issue 4) and the embedded mock server (issue 5); empty until then.
