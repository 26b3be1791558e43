{{ people_performance('team_key', "activity_date", 'activity_date', '86400') }}
