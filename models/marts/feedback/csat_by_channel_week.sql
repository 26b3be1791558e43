-- ISO weeks: a week starts on Monday, in the reporting timezone (contact_date is already there).
{{ csat_by_channel("date_trunc('week', contact_date)::date", 'week_start_date') }}
