-- Support staff find a customer by the email address they give on the phone, in any case.
CREATE INDEX customer_email_idx ON customer (lower(email));
