-- The published comment text (survey_comment_examples.comment_text_redacted) keeps no email
-- address (in any script), no phone number and no run of 6 or more digits: a guard on the real
-- comments, beside the unit test's hand-made ones. Patterns of its own, not the redaction's,
-- so a gap in one is not the other's; and the redaction, run again, finds nothing more.
-- Names cannot be checked.
select survey_response_id, comment_text_redacted
from {{ ref('survey_comment_examples') }}
where regexp_matches(comment_text_redacted, '[\pL\pN._%+-]+[@＠][\pL\pN-]+[.．。｡][\pL\pN]')
    or regexp_matches(comment_text_redacted, '\d{6,}')
    or regexp_matches(comment_text_redacted, '\d{3}[ ./-]\d{4}\b')
    -- an international number: + or 00 and a country code, then groups of digits
    or regexp_matches(comment_text_redacted, '(?:\+|\b00)\d{1,3}(?:[ ./-]?\(?\d{1,4}\)?){2,}')
    -- five groups of two digits (the French way)
    or regexp_matches(comment_text_redacted, '\b\d{2}(?:[ .]\d{2}){4}\b')
    or csops_redact(comment_text_redacted) <> comment_text_redacted
