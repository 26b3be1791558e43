{{ csat_by_channel('contact_date', 'contact_date') }}
