"""Demo data worth looking at, loaded through the real HTTP APIs of a fresh local system.

`python -m xkld_shared.demo --identity URL --registration URL --loans URL --reporting URL
--accounts-file FILE` creates the demo staff (one account per role), licensed enterprises (one
licence expired), courses, this year's targets for province 86 and two communes, and about sixty
workers spread over every stage of the journey, some with VBSP loans disbursed, some abroad with
check-ins, some back early with their cause. Running it again changes nothing. Development data,
never for a real deployment.
"""
