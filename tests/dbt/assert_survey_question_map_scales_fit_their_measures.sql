-- Each measure of seeds/survey_question_map.csv is read on the scale its KPI is defined on
-- (KPI_DEFINITIONS.md section 4): CSAT 1-5 or good/bad, NPS 0-10, CES 1-7, resolved yes/no, a
-- comment as text; a contact reference names its system and no scale.
select *
from {{ ref('survey_question_map') }}
where not coalesce(
    case measure
        when 'csat' then scale in ('1-5', 'good_bad')
        when 'nps' then scale = '0-10'
        when 'ces' then scale = '1-7'
        when 'resolved' then scale = 'yes_no'
        when 'comment' then scale = 'text'
        when 'contact_ref' then scale is null and contact_system is not null
    end,
    false
)
