package dev.herald.customer;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.herald.delivery.DeliveryLookup;
import dev.herald.delivery.DeliveryViews.CustomerDeliveries;
import dev.herald.ops.NotFoundException;
import dev.herald.security.Caller;

/** What support reads of one customer, with contact data masked as the caller's roles require. */
@ApplicationScoped
public class CustomerDirectory {

    /** Enough for one address shared by a family; more means the search was too loose to be useful. */
    public static final int SEARCH_LIMIT = 20;

    private final DeviceStore devices;
    private final DeliveryLookup deliveries;
    private final Caller caller;

    CustomerDirectory(DeviceStore devices, DeliveryLookup deliveries, Caller caller) {
        this.devices = devices;
        this.deliveries = deliveries;
        this.caller = caller;
    }

    @Transactional
    public CustomerView get(String id) {
        return masked(find(id));
    }

    /** The customer with this id, or those with this email address (in any case). */
    @Transactional
    public List<CustomerView> search(String idOrEmail) {
        Customer byId = Customer.findById(idOrEmail);
        List<Customer> found = byId != null ? List.of(byId)
                : Customer.<Customer>find("lower(email) = lower(?1) order by id", idOrEmail)
                        .page(0, SEARCH_LIMIT).list();
        return found.stream().map(this::masked).toList();
    }

    @Transactional
    public List<DeviceView> devices(String id) {
        find(id);
        return devices.list(id).stream().map(d -> d.withToken(caller.token(d.token()))).toList();
    }

    @Transactional
    public CustomerDeliveries deliveries(String id) {
        find(id);
        return new CustomerDeliveries(id, deliveries.ofCustomer(id).stream()
                .map(caller::masked).toList());
    }

    private CustomerView masked(Customer customer) {
        CustomerView view = CustomerView.of(customer);
        return view.withEmail(caller.email(view.email()));
    }

    private static Customer find(String id) {
        Customer customer = Customer.findById(id);
        if (customer == null) {
            throw new NotFoundException("customer", id);
        }
        return customer;
    }
}
