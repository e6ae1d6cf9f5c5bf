"""Small well-formed files of every format the platform reads, generated here (never copies of the
research material): the seeds the mutation fuzzer starts from."""

from __future__ import annotations

import json

PB = [
    # approval, with ballot limits, categories and a second line in META
    "META\nkey;value\ndescription;Fuzz seed\nnum_projects;4\nnum_votes;5\nbudget;100000\nvote_type;approval\n"
    "min_length;1\nmax_length;3\nrule;greedy\ncurrency;GBP\nPROJECTS\nproject_id;cost;category;name\n"
    "1;40000;parks;Trees\n2;25000;youth,parks;Club\n3;60000;roads;Crossing\n4;10000;;Bench\n"
    "VOTES\nvoter_id;vote;age\n1;1,2;30\n2;2,3;41\n3;3;65\n4;1,4,2;19\n5;4;52\n",
    # cumulative points
    "META\nkey;value\nbudget;50\nvote_type;cumulative\nmax_sum_points;10\nmin_points;1\nPROJECTS\nproject_id;cost\n"
    "a;20\nb;35\nc;5\nVOTES\nvoter_id;vote;points\n1;a,b;4,6\n2;c;10\n3;b,c,a;3,3,4\n",
    # ordinal (ranked), with a city threshold
    "META\nkey;value\nbudget;900\nvote_type;ordinal\nmin_project_score_threshold;1\nPROJECTS\nproject_id;cost\n"
    "x;300\ny;500\nz;400\nVOTES\nvoter_id;vote\nv1;x,y,z\nv2;z,x\nv3;y\n",
    # scoring, decimal costs with a comma
    "META\nkey;value\nbudget;1000,5\nvote_type;scoring\nPROJECTS\nproject_id;cost\np;500,25\nq;499,5\nVOTES\n"
    "voter_id;vote;points\n1;p,q;2,1\n2;q;3\n",
    # choose-1, and a file the site writes for a vote with no ballots
    "META\nkey;value\nbudget;100\nvote_type;choose-1\nPROJECTS\nproject_id;cost\n1;60\n2;50\nVOTES\nvoter_id;vote\n"
    "1;1\n2;2\n3;2\n",
    "META\nkey;value\nbudget;100\nvote_type;approval\nnum_votes;0\nPROJECTS\nproject_id;cost\n1;60\nVOTES\n"
    "voter_id;vote\n",
]

QUOTAS = [
    "feature,value,min,max\ngender,female,2,3\ngender,male,2,3\nage,young,1,3\nage,old,1,3\n",
    "category,feature,min,max,min_flex,max_flex\ngender,female,1,2,0,3\ngender,male,1,2,0,3\n",
]
POOL = [
    "id,gender,age,email,address1,postcode\n"
    + "".join(
        f"p{i},{'female' if i % 2 else 'male'},{'young' if i % 3 else 'old'},p{i}@example.org,{i} High St,XX1 1A{i}\n"
        for i in range(12)
    ),
]

SPEC = [
    '[index]\nname = "Fuzz"\nid_column = "code"\n\n[[domain]]\nslug = "a"\nweight = 0.5\ntransform = "none"\n'
    '[[domain.indicator]]\ncolumn = "count"\ndenominator = "people"\ndirection = "higher_more_need"\n'
    'transform = ["rate_per_1000", "log"]\n\n[[domain]]\nslug = "b"\nweight = 0.5\n[[domain.indicator]]\n'
    'column = "distance"\ndirection = "higher_less_need"\ntransform = ["normal_scores"]\nmissing = "median"\n'
    "weight = 2\n",
]
INDICATORS = [
    "code,count,people,distance\n" + "".join(f"E0500000{i},{i * 3},{100 + i},{i * 1.5 if i != 4 else ''}\n" for i in
                                                 range(1, 9)),
]  # fmt: skip

ELIGIBLE = [
    "ward_code,ward_name,local_authority,population,need\nE05000001,North,Borough,9000,30.5\n"
    'E05000002,South,Borough,"12,000",12.1\nE05000003,East,Borough,7400,44\n',
    "ward_code,ward_name,local_authority,population\nE05000001,North,Borough,9000\nE05000002,South,Borough,1200\n",
]

POSTCODES = [
    "pcds,lsoa11,lsoa21,doterm\nXX1 1AA,E01000001,E01000001,\nXX1 1AB,E01000002,E01000002,202001\n"
    "XX12AB,E01000001,E01000003,\nXX1 1AD,E01009999,E01009999,\n",
]

IMD = [
    "lsoa11_code,Income_rank,Employment_rank,Education_rank,Health_rank,Crime_rank,Housing_and_Access_rank,"
    "Environment_rank\n" + "".join(f"E0100000{i},{i},{5 - i},{i},{i},{5 - i},{i},{i}\n" for i in range(1, 5)),
    "lsoa11_code,Income_score,Employment_score,Education_score,Health_score,Crime_score,Housing_and_Access_score,"
    "Environment_score\n" + "".join(f"E0100000{i},0.{i},0.{i}5,{i}.5,-{i}.1,0.{i},{i}0,{i}\n" for i in range(1, 5)),
]

CNI = [
    "ward17_code,ward17_name,lad19_name,Community Needs Index score,Community Needs Index rank,Left Behind Area?\n"
    "E05000001,North,Borough,51.5,1,TRUE\nE05000002,South,Borough,20,2,FALSE\n",
]

DISTRIBUTION = [
    json.dumps(
        {
            "method": "leximin",
            "size": 2,
            "probabilities": {"a": 0.5, "b": 0.5, "c": 1.0},
            "panels": [{"members": ["a", "c"], "weight": 0.5}, {"members": ["b", "c"], "weight": 0.5}],
        }
    ),
]

OWNERSHIP = [
    "Title Number,Tenure,Property Address,District,County,Region,Postcode,Multiple Address Indicator,Price Paid,"
    "Proprietor Name (1),Company Registration No. (1),Proprietorship Category (1),Proprietor (1) Address (1),"
    "Date Proprietor Added,Additional Proprietor Indicator\n"
    'XX100,Freehold,"The Crown, 1 High St",Demo,Demo,North,XX1 1AA,N,450000,Crown Pubs Ltd,01234567,'
    "Limited Company or Public Limited Company,1 Quay Rd,25-03-2021,N\n"
    "XX101,Leasehold,2 Low St,Demo,Demo,North,XX1 1AB,Y,,Shop Co Ltd,07654321,Limited Company,,2020-01-31,Y\n",
    "Title Number,Tenure,Property Address,Postcode,Proprietor Name (1),Country Incorporated (1),Price Paid\n"
    'XX200,Freehold,3 Mill Lane,XX1 1AD,Offshore Holdings SA,Jersey,"1,250,000"\n',
]

SURVEY = [
    "area_code,measure,value,measure_name,unit,direction\nX05000001,feel_safe,71.5,Feel safe at night,%,"
    "higher_less_need\nX05000001,lonely,12,Often lonely,%,higher_more_need\nX05000002,feel_safe,64,,%,\n",
]

ROLL = [
    "full_name,address,date_of_birth,category,qualifying_date,evidence\n"
    "Ada Lovelace,1 Estate Rd,1980-04-30,social_tenant,2019-06-01,tenancy agreement T-1\n"
    '"Brown, Charlie",2 Estate Rd,1975-01-02,resident_owner,2018-03-04,council tax record\n',
]
