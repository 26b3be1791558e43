{{ people_performance('team_key', "date_trunc('week', activity_date)::date", 'week_start_date', '7 * 86400') }}
