-- The published comment text (survey_comment_examples.comment_text_redacted) keeps no email
-- address and no run of 6 or more digits, whatever the redaction's order of passes: a guard
-- on the real comments, beside the unit test's hand-made ones. Names cannot be checked.
select survey_response_id, comment_text_redacted
from {{ ref('survey_comment_examples') }}
where regexp_matches(comment_text_redacted, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]')
    or regexp_matches(comment_text_redacted, '\d{6,}')
    or regexp_matches(comment_text_redacted, '\d{3}[ .-]\d{4}\b')
